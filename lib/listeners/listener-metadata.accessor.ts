import { Injectable } from '@nestjs/common';
import { MessagioConfigurationError } from '../errors/messagio-configuration.error.js';
import { assertListenerId } from './listener-options.js';
import { MESSAGIO_LISTENER_METADATA, type OnMessagioMetadata } from './on-messagio.decorator.js';

/**
 * Reads what `@OnMessagio` stored on a method: the one place that knows its
 * metadata key and shape (the explorer scans, the registrar registers).
 */
@Injectable()
export class ListenerMetadataAccessor {
  /** The method's `@OnMessagio` decorators in source order, or undefined when it has none. */
  metadataOf(method: unknown): OnMessagioMetadata[] | undefined {
    if (typeof method !== 'function') return undefined;
    const metadata = Reflect.getMetadata(MESSAGIO_LISTENER_METADATA, method) as OnMessagioMetadata[] | undefined;
    return metadata?.length ? metadata : undefined;
  }

  /**
   * The id of the listener a decorated method is: the one `id` its decorators
   * give, else its `source` (`Class.method`). Throws when they give several,
   * or an id that is not usable.
   */
  listenerIdOf(metadata: readonly OnMessagioMetadata[], source: string): string {
    const ids = new Set(metadata.map((m) => m.options.id).filter((id) => id !== undefined));
    if (ids.size > 1) {
      throw new MessagioConfigurationError(`${source} carries several @OnMessagio with different ids (${[...ids].join(', ')}); a method is one listener.`);
    }
    const id = ids.size === 1 ? [...ids][0]! : source;
    assertListenerId(id, `@OnMessagio on ${source}`);
    return id;
  }
}
