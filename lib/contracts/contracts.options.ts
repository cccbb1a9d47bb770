import { MessagioConfigurationError } from '../errors/messagio-configuration.error.js';
import type { AsyncApiInfo } from './asyncapi-document.js';

/**
 * Options of `MessagioContractsModule.forRoot()`.
 * @publicApi
 */
export interface MessagioContractsOptions {
  /**
   * The AsyncAPI document's `info`.
   * @default the `name` and `version` of the package.json in the working directory
   */
  info?: Partial<AsyncApiInfo>;
  /**
   * Serves the document over HTTP (an HTTP app, `NestFactory.create`): `GET /<path>.json`
   * is the JSON, `GET /<path>` a page that renders it with `@asyncapi/react-component`
   * (an optional peer dependency, served from its package, no CDN; without it the page
   * answers 404 saying what to install). No route when unset.
   */
  path?: string;
}

/** The DI token of the options given to `MessagioContractsModule.forRoot()`. */
export const MESSAGIO_CONTRACTS_OPTIONS = 'MESSAGIO_CONTRACTS_OPTIONS';

/** The route path, without surrounding slashes; a path a route could not have throws. */
export function routePath(path: string): string {
  const trimmed = typeof path === 'string' ? path.replace(/^\/+|\/+$/g, '') : '';
  if (trimmed === '' || /[:*?()[\]\s]/.test(trimmed)) {
    throw new MessagioConfigurationError(
      `MessagioContractsModule.forRoot({ path }): the path must be a plain route such as 'asyncapi' or 'docs/messages', got ${JSON.stringify(path)}.`,
    );
  }
  return trimmed;
}
