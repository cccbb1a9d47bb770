import { ENVELOPE_VERSION } from '../message/envelope.js';
import type { JsonSchema } from './json-schema.js';

/**
 * The envelope around every payload, as AsyncAPI message headers: what a
 * delivery's job data holds besides `payload` (lib/message/envelope.ts is the
 * source; a field added there is added here).
 */
export function envelopeSchema(): JsonSchema {
  return {
    type: 'object',
    title: 'MessagioEnvelope',
    description:
      "The job data of a delivery (one message for one listener) but its `payload`. BullMQ's job name is `type`, its job id `id|listener`.",
    required: ['v', 'type', 'id', 'traceId', 'causationId', 'firedAt', 'listener'],
    properties: {
      v: { type: 'integer', const: ENVELOPE_VERSION, description: 'Version of the envelope layout.' },
      type: { type: 'string', description: 'Wire name of the message type (`@MessagioType`).' },
      typeVersion: {
        type: 'integer',
        minimum: 1,
        description: 'Version of the message type the payload was fired at; absent for version 1. A worker upcasts an older one, and fails a newer one.',
      },
      id: { type: 'string', description: 'Message id, shared by the deliveries of one fire (its idempotency key).' },
      traceId: { type: 'string', description: 'Shared by a message and every message its listeners fire.' },
      causationId: { type: ['string', 'null'], description: 'Id of the message whose listener fired this one, or null.' },
      firedAt: { type: 'string', format: 'date-time', description: 'When the message was fired.' },
      listener: { type: 'string', description: 'Id of the listener this delivery is for.' },
    },
  };
}

/** The headers of one message type: the envelope, with its `type` and `typeVersion` as that type fires them. */
export function messageHeaders(envelopeRef: string, type: string, version: number): JsonSchema {
  return {
    type: 'object',
    allOf: [{ $ref: envelopeRef }],
    properties: {
      type: { const: type },
      ...(version === 1 ? {} : { typeVersion: { const: version } }),
    },
    ...(version === 1 ? {} : { required: ['typeVersion'] }),
  };
}
