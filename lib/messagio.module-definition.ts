import { ConfigurableModuleBuilder, type DynamicModule, type Provider, type Type } from '@nestjs/common';
import { MESSAGIO_MODULE_OPTIONS, MESSAGIO_TRANSPORT, MESSAGIO_TRANSPORT_KIND } from './messagio.constants.js';
import { transportKind, type MessagioModuleOptions, type TransportKind } from './messagio-options.js';
import { bootsForContractsOnly } from './messagio-boot-mode.js';
import { MessagioPipelineModule } from './messagio-pipeline.module.js';
import type { MessagioTransportOption } from './transports/transport-module.options.js';
import { transportProvider } from './messagio.providers.js';

/**
 * What `forRoot()` / `forRootAsync()` are given besides the options: the
 * transport slot (`MessagioModule` hands in its own class), and, from
 * forRootAsync, the transport kind declared next to the factory and extra providers.
 */
export interface MessagioModuleExtras {
  transportSlot?: Type;
  transport?: MessagioTransportOption | TransportKind;
  extraProviders?: Provider[];
}

/**
 * The dynamic root module: the options (provided under MESSAGIO_MODULE_OPTIONS
 * by the builder), the pipeline, and the transport. A BullMQ app imports the
 * transport slot, `MessagioModule` itself (the bare class, which
 * `overrideModule(MessagioModule)` can match and swap); a memory or custom
 * one gets its transport here.
 */
function composeRoot(definition: DynamicModule, { transportSlot, transport, extraProviders = [] }: MessagioModuleExtras): DynamicModule {
  // Booted for its contracts only: no Redis, nothing consumed (messagio-boot-mode.ts).
  const kind = bootsForContractsOnly() ? 'memory' : transportKind(transport);
  const slot = kind === 'bullmq' ? transportSlot : undefined;
  return {
    ...definition,
    global: true,
    imports: [...(definition.imports ?? []), MessagioPipelineModule, ...(slot ? [slot] : [])],
    providers: [
      ...(definition.providers ?? []),
      { provide: MESSAGIO_TRANSPORT_KIND, useValue: kind },
      ...extraProviders,
      ...(kind === 'bullmq' ? [] : [transportProvider(kind)]),
    ],
    // MessagioModule (bullmq) is global itself: its transport and queue need no re-export here.
    exports: [MESSAGIO_MODULE_OPTIONS, MESSAGIO_TRANSPORT_KIND, MessagioPipelineModule, ...(kind === 'bullmq' ? [] : [MESSAGIO_TRANSPORT])],
  };
}

/**
 * forRoot() and forRootAsync(), as @nestjs/bullmq and @nestjs/event-emitter
 * make theirs: the builder provides the options (a value, or a factory with
 * its imports and inject), composeRoot adds the rest. The declared extras key
 * (`transportSlot`) is kept out of the options value; `transport` stays in it.
 */
export const {
  ConfigurableModuleClass: MessagioConfigurableModule,
  MODULE_OPTIONS_TOKEN,
} = new ConfigurableModuleBuilder<MessagioModuleOptions>({ optionsInjectionToken: MESSAGIO_MODULE_OPTIONS })
  .setClassMethodName('forRoot')
  .setExtras<MessagioModuleExtras>({ transportSlot: undefined }, composeRoot)
  .build();
