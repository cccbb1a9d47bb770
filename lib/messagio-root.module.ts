import { Module } from '@nestjs/common';
import { MessagioConfigurableModule } from './messagio.module-definition.js';

/**
 * The module `MessagioModule.forRoot()` / `forRootAsync()` return: global,
 * it holds the options, imports the pipeline and the transport (for BullMQ,
 * the bare `MessagioModule`). Internal: it exists so that the class users
 * import, `MessagioModule`, stays a plain import of this module that tests
 * can swap (see messagio.module.ts).
 */
@Module({})
export class MessagioRootModule extends MessagioConfigurableModule {}
