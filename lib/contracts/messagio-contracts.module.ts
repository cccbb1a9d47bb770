import { Module, type DynamicModule } from '@nestjs/common';
import { ListenerRegistry } from '../listeners/listener.registry.js';
import { MessageTypesRegistry } from '../message/message-types.registry.js';
import { MESSAGIO_RESOLVED_OPTIONS } from '../messagio.constants.js';
import type { ResolvedMessagioOptions } from '../messagio-options.js';
import { asyncApiController } from './asyncapi.controller.js';
import { locatePageAssets } from './asyncapi-page.js';
import { MESSAGIO_CONTRACTS_OPTIONS, routePath, type MessagioContractsOptions } from './contracts.options.js';
import { MessagioContracts } from './messagio-contracts.js';

/**
 * The contracts of the app, injectable as `MessagioContracts`, and with
 * `path` its AsyncAPI document and page over HTTP. Import it next to
 * `MessagioModule.forRoot()`:
 *
 * ```ts
 * MessagioContractsModule.forRoot({ path: 'asyncapi', info: { title: 'Orders' } })
 * ```
 * @publicApi
 */
@Module({})
export class MessagioContractsModule {
  static forRoot(options: MessagioContractsOptions = {}): DynamicModule {
    const path = options.path === undefined ? undefined : routePath(options.path);
    return {
      module: MessagioContractsModule,
      providers: [
        { provide: MESSAGIO_CONTRACTS_OPTIONS, useValue: options },
        {
          provide: MessagioContracts,
          useFactory: (types: MessageTypesRegistry, listeners: ListenerRegistry, resolved: ResolvedMessagioOptions) =>
            new MessagioContracts(types, listeners, resolved.listeners.routing, options),
          inject: [MessageTypesRegistry, ListenerRegistry, MESSAGIO_RESOLVED_OPTIONS],
        },
      ],
      controllers: path === undefined ? [] : [asyncApiController(path, locatePageAssets())],
      exports: [MessagioContracts, MESSAGIO_CONTRACTS_OPTIONS],
    };
  }
}
