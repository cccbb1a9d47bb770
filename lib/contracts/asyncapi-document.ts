import type { ListenerBinding } from '../listeners/listener.registry.js';
import { queueFor, type QueueRouting } from '../listeners/queue-routing.js';
import { FAULT_TYPE } from '../message/messagio-fault.js';
import { envelopeSchema, messageHeaders } from './envelope-schema.js';
import type { JsonSchema } from './json-schema.js';
import type { KnownMessage } from './known-messages.js';
import { SchemaCatalog } from './schema-catalog.js';

/** The `info` of an AsyncAPI document. */
export interface AsyncApiInfo {
  title: string;
  version: string;
  description?: string;
}

/** An AsyncAPI 3.0 document, as plain JSON. */
export interface AsyncApiDocument {
  asyncapi: '3.0.0';
  info: AsyncApiInfo;
  defaultContentType: string;
  channels: Record<string, JsonSchema>;
  operations: Record<string, JsonSchema>;
  components: { messages: Record<string, JsonSchema>; schemas: Record<string, JsonSchema> };
}

/** What an app's document is made of, read from its registries and options at bootstrap. */
export interface AsyncApiSource {
  info: AsyncApiInfo;
  messages: readonly KnownMessage[];
  routing: QueueRouting;
}

const ENVELOPE = 'MessagioEnvelope';
const DESCRIPTION =
  'The messages of this app, described by nestjs-messagio from its message classes. Each channel is a BullMQ queue; ' +
  "each job is one delivery (one message for one listener): the job's name is the message's wire name, its id " +
  '`messageId|listenerId`, its data the envelope (the message headers) with the payload under `payload`.';

/**
 * The AsyncAPI 3.0 document of an app: a channel per queue (its address the
 * BullMQ queue name); a `send` operation per message type and queue its
 * deliveries go to (the queue routes give it when no listener of the app
 * takes it); a `receive` operation per listener and queue, with its id,
 * priority and retries as `x-messagio-*` fields; messages whose payload is the
 * class's JSON Schema and whose headers are the envelope; `MessagioFault`
 * among them.
 */
export function asyncApiDocument({ info, messages, routing }: AsyncApiSource): AsyncApiDocument {
  const schemas = new SchemaCatalog((name) => `#/components/schemas/${name}`);
  schemas.reserve(ENVELOPE);
  const keys = new UniqueKeys();
  const channelKey = new Map<string, string>();
  const channels: Record<string, JsonSchema> = {};
  for (const queue of [routing.defaultQueue, ...[...routing.queues].filter((q) => q !== routing.defaultQueue)]) {
    const key = keys.take('channel', queue);
    channelKey.set(queue, key);
    channels[key] = {
      address: queue,
      title: `Queue ${queue}`,
      description: `BullMQ queue "${queue}"${queue === routing.defaultQueue ? ' (the default queue)' : ''}.`,
      messages: {},
    };
  }

  const componentMessages: Record<string, JsonSchema> = {};
  const operations: Record<string, JsonSchema> = {};
  const messageKey = new Map<string, string>();
  for (const message of messages) {
    const payload = schemas.nameOf(message.cls, message.name);
    const key = keys.take('message', message.name);
    messageKey.set(message.name, key);
    componentMessages[key] = {
      name: message.name,
      title: message.cls.name,
      summary: `${message.cls.name}, version ${message.version}`,
      contentType: 'application/json',
      headers: messageHeaders(`#/components/schemas/${ENVELOPE}`, message.name, message.version),
      payload: { $ref: `#/components/schemas/${payload}` },
      correlationId: { description: 'The trace id, shared by a message and those its listeners fire.', location: '$message.header#/traceId' },
      'x-messagio-version': message.version,
      ...(message.upcastsFrom.length > 0 ? { 'x-messagio-upcasts-from': message.upcastsFrom } : {}),
    };
    const queues = new Map<string, ListenerBinding[]>();
    for (const binding of message.bindings) {
      const queue = binding.options.queue ?? routing.defaultQueue;
      queues.set(queue, [...(queues.get(queue) ?? []), binding]);
    }
    if (queues.size === 0) queues.set(queueFor(message.name, undefined, routing, 'contracts'), []);
    for (const [queue, bindings] of queues) {
      const channel = channelKey.get(queue)!;
      (channels[channel]!.messages as JsonSchema)[key] = { $ref: `#/components/messages/${key}` };
      const id = keys.take('operation', queues.size === 1 ? `send.${message.name}` : `send.${message.name}.${queue}`);
      operations[id] = {
        action: 'send',
        channel: { $ref: `#/channels/${channel}` },
        title: `Fire ${message.name}`,
        summary: sendSummary(message, bindings),
        messages: [{ $ref: `#/channels/${channel}/messages/${key}` }],
        'x-messagio-listeners': bindings.map((b) => b.listener.id),
      };
    }
  }

  for (const [listener, groups] of receiveGroups(messages)) {
    const several = groups.length > 1;
    for (const group of groups) {
      const { options } = group[0]!;
      const queue = options.queue ?? routing.defaultQueue;
      const channel = channelKey.get(queue)!;
      const id = keys.take('operation', several ? `receive.${listener}.${queue}` : `receive.${listener}`);
      operations[id] = {
        action: 'receive',
        channel: { $ref: `#/channels/${channel}` },
        title: `Listener ${listener}`,
        summary: `${group[0]!.listener.source} on queue "${queue}": one delivery per message, priority ${options.priority}, ${retries(options)}.`,
        messages: group.map((b) => ({ $ref: `#/channels/${channel}/messages/${messageKey.get(b.type)!}` })),
        'x-messagio-listener': listener,
        'x-messagio-source': group[0]!.listener.source,
        'x-messagio-queue': queue,
        'x-messagio-priority': options.priority,
        'x-messagio-retries': {
          maxRetries: options.maxRetries,
          retryDelay: options.retryDelay,
          backoff: options.backoff,
          retryOn: options.retryOn.map((e) => e.name),
        },
      };
    }
  }

  return {
    asyncapi: '3.0.0',
    info: { ...info, description: info.description ?? DESCRIPTION },
    defaultContentType: 'application/json',
    channels,
    operations,
    components: { messages: componentMessages, schemas: { [ENVELOPE]: envelopeSchema(), ...schemas.schemas() } },
  };
}

/** A listener's bindings by what a receive operation says once: its queue and options (several `@OnMessagio` may differ). */
function receiveGroups(messages: readonly KnownMessage[]): Map<string, ListenerBinding[][]> {
  const byListener = new Map<string, Map<string, ListenerBinding[]>>();
  for (const binding of messages.flatMap((m) => m.bindings)) {
    const { queue, priority, maxRetries, retryDelay, backoff, retryOn } = binding.options;
    const signature = JSON.stringify([queue, priority, maxRetries, retryDelay, backoff, retryOn.map((e) => e.name)]);
    const groups = byListener.get(binding.listener.id) ?? new Map<string, ListenerBinding[]>();
    byListener.set(binding.listener.id, groups.set(signature, [...(groups.get(signature) ?? []), binding]));
  }
  return new Map([...byListener].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([id, groups]) => [id, [...groups.values()]]));
}

function sendSummary(message: KnownMessage, bindings: readonly ListenerBinding[]): string {
  if (message.name === FAULT_TYPE) {
    return 'Fired by nestjs-messagio when a delivery fails for good, while a listener subscribes to MessagioFault: one delivery per such listener.';
  }
  if (bindings.length === 0) return 'No listener of this app subscribes to it: a fire from this app stores no delivery.';
  return `One delivery per listener, in priority order: ${bindings.map((b) => `${b.listener.id} (${b.options.priority})`).join(', ')}.`;
}

function retries(options: ListenerBinding['options']): string {
  if (options.maxRetries === 0) return 'no retries';
  const on = options.retryOn.length > 0 ? ` on ${options.retryOn.map((e) => e.name).join(', ')}` : '';
  return `up to ${options.maxRetries} retries${on}, ${options.backoff} backoff from ${options.retryDelay} ms`;
}

/** Keys of channels, messages and operations: valid AsyncAPI keys, unique within their kind. */
class UniqueKeys {
  private readonly taken = new Map<string, Set<string>>();

  take(kind: string, wanted: string): string {
    const taken = this.taken.get(kind) ?? new Set<string>();
    this.taken.set(kind, taken);
    const base = wanted.replace(/[^a-zA-Z0-9.\-_]/g, '_') || '_';
    let key = base;
    for (let n = 2; taken.has(key); n++) key = `${base}_${n}`;
    taken.add(key);
    return key;
  }
}
