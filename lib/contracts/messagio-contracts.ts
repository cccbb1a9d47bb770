import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { ListenerRegistry } from '../listeners/listener.registry.js';
import type { QueueRouting } from '../listeners/queue-routing.js';
import { MessageTypesRegistry } from '../message/message-types.registry.js';
import { wireNameOf } from '../message/messagio-type.decorator.js';
import type { MessagioClass } from '../message/messagio.js';
import { MESSAGIO_RESOLVED_OPTIONS } from '../messagio.constants.js';
import type { ResolvedMessagioOptions } from '../messagio-options.js';
import { MessagioConfigurationError } from '../errors/messagio-configuration.error.js';
import { asyncApiDocument, type AsyncApiDocument, type AsyncApiInfo } from './asyncapi-document.js';
import { compareContracts, type ContractChange } from './compatibility.js';
import { snapshotOf, type ContractsSnapshot } from './contracts-snapshot.js';
import { MESSAGIO_CONTRACTS_OPTIONS, type MessagioContractsOptions } from './contracts.options.js';
import type { JsonSchema } from './json-schema.js';
import { knownMessages, type KnownMessage } from './known-messages.js';
import { messageSchema } from './message-schema.js';

/**
 * The contracts of an app, read from its message classes and listeners as
 * they are registered now: each message type's JSON Schema, the app's AsyncAPI
 * 3.0 document, a snapshot to commit, and the changes since one. Get it from
 * `MessagioContractsModule.forRoot()` (injectable), or `MessagioContracts.of(app)`.
 * @publicApi
 */
export class MessagioContracts {
  constructor(
    private readonly types: MessageTypesRegistry,
    private readonly listeners: ListenerRegistry,
    private readonly routing: QueueRouting,
    private readonly options: MessagioContractsOptions = {},
  ) {}

  /**
   * The contracts of an initialised app that imports `MessagioModule`: its
   * `MessagioContractsModule`'s when it has one, else read with default options.
   */
  static of(app: INestApplicationContext): MessagioContracts {
    const injected = optional<MessagioContracts>(app, MessagioContracts);
    if (injected) return injected;
    const resolved = optional<ResolvedMessagioOptions>(app, MESSAGIO_RESOLVED_OPTIONS);
    if (!resolved) throw new MessagioConfigurationError('This app does not import MessagioModule.forRoot(): it has no messages to describe.');
    return new MessagioContracts(
      app.get(MessageTypesRegistry, { strict: false }),
      app.get(ListenerRegistry, { strict: false }),
      resolved.listeners.routing,
      optional<MessagioContractsOptions>(app, MESSAGIO_CONTRACTS_OPTIONS) ?? {},
    );
  }

  /** Every message type the app knows (listened to, in the `messages` option, declared with `@MessagioType`, and MessagioFault). */
  messages(): KnownMessage[] {
    return knownMessages(this.types, this.listeners);
  }

  /** The JSON Schema of one message type's payload (by wire name or class), standalone: nested classes under `definitions`. */
  schemaOf(type: string | MessagioClass): JsonSchema {
    const name = typeof type === 'string' ? type : wireNameOf(type);
    const message = this.messages().find((m) => m.name === name);
    if (!message) throw new MessagioConfigurationError(`${name} is not a message type this app knows (see MessagioContracts.messages()).`);
    return messageSchema(message);
  }

  /** The JSON Schema of every message type, by wire name. */
  schemas(): Record<string, JsonSchema> {
    return Object.fromEntries(this.messages().map((m) => [m.name, messageSchema(m)]));
  }

  /** The app's AsyncAPI 3.0 document. */
  asyncapi(): AsyncApiDocument {
    return asyncApiDocument({ info: this.info(), messages: this.messages(), routing: this.routing });
  }

  /** The snapshot `nestjs-messagio contracts snapshot` writes: commit it, and check later changes against it. */
  snapshot(): ContractsSnapshot {
    return snapshotOf(this.messages());
  }

  /** The changes from a snapshot to the app as it is now, each with its verdict. */
  check(against: ContractsSnapshot): ContractChange[] {
    return compareContracts(against, this.snapshot());
  }

  private info(): AsyncApiInfo {
    const given = this.options.info ?? {};
    const pkg = given.title !== undefined && given.version !== undefined ? {} : workingPackage();
    return {
      title: given.title ?? pkg.name ?? 'nestjs-messagio app',
      version: given.version ?? pkg.version ?? '0.0.0',
      ...(given.description !== undefined ? { description: given.description } : {}),
    };
  }
}

/** The name and version of the package.json in the working directory, when there is one. */
function workingPackage(): { name?: string; version?: string } {
  try {
    const pkg = JSON.parse(readFileSync(join(process.cwd(), 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
    return {
      ...(typeof pkg.name === 'string' ? { name: pkg.name } : {}),
      ...(typeof pkg.version === 'string' ? { version: pkg.version } : {}),
    };
  } catch {
    return {};
  }
}

function optional<T>(app: INestApplicationContext, token: string | (abstract new (...args: never[]) => unknown)): T | undefined {
  try {
    return app.get<T>(token as string, { strict: false });
  } catch {
    return undefined;
  }
}
