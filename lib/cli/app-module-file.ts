import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MessagioConfigurationError } from '../errors/messagio-configuration.error.js';

/**
 * The app module a built file exports: its default export, else `AppModule`;
 * a module class or a dynamic module (`AppModule.forRoot(…)`). Throws a
 * `MessagioConfigurationError` saying what is missing.
 */
export async function importAppModule(file: string): Promise<unknown> {
  const path = resolve(file);
  if (!existsSync(path)) throw new MessagioConfigurationError(`${file} does not exist: build the app first, or give its module file with --app.`);
  const exported = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  for (const candidate of [exported.default, exported.AppModule]) {
    if (isModule(candidate)) return candidate;
    // A CommonJS file's exports object is its default export when imported.
    const nested = (candidate as Record<string, unknown> | undefined)?.AppModule ?? (candidate as Record<string, unknown> | undefined)?.default;
    if (isModule(nested)) return nested;
  }
  throw new MessagioConfigurationError(`${file} exports no app module: export it as default, or as AppModule (a module class, or AppModule.forRoot(…)).`);
}

function isModule(value: unknown): boolean {
  return typeof value === 'function' || (typeof value === 'object' && value !== null && typeof (value as { module?: unknown }).module === 'function');
}
