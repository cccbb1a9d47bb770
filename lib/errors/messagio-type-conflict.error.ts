import { MessagioError } from './messagio.error.js';

/**
 * Two different classes claim one wire name (`@MessagioType` or the default
 * class name). Rename one with `@MessagioType('context.name')`.
 * @publicApi
 */
export class MessagioTypeConflictError extends MessagioError {
  constructor(
    readonly typeName: string,
    readonly classes: [string, string],
  ) {
    super(
      `Message type "${typeName}" is claimed by two classes: ${classes[0]} and ${classes[1]}. ` +
        `Give one of them a distinct wire name with @MessagioType('...').`,
    );
  }
}
