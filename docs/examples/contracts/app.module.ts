import { Injectable, Module } from '@nestjs/common';
import { IsString } from 'class-validator';
import { Messagio, MessagioModule, MessagioType } from 'nestjs-messagio';
import { MessagioContracts, MessagioContractsModule } from 'nestjs-messagio/contracts';
import { OrderPlaced } from './versions.js';

/** A message this app fires and another service handles. */
@MessagioType('billing.invoice-requested', { version: 1 })
class InvoiceRequested extends Messagio {
  @IsString() orderId!: string;
}

// #region module
@Module({
  imports: [
    MessagioModule.forRoot({
      connection: { host: 'localhost', port: 6379 },
      messages: [InvoiceRequested],   // fired here, handled elsewhere: known to the report and the contracts
      startupReport: 'strict',        // a problem found at bootstrap fails app.init()
    }),
    // GET /asyncapi.json (the document) and GET /asyncapi (the page), in an HTTP app.
    MessagioContractsModule.forRoot({ path: 'asyncapi', info: { title: 'Orders', version: '2.3.0' } }),
  ],
})
export class AppModule {}
// #endregion

// #region service
@Injectable()
export class ContractsService {
  constructor(private readonly contracts: MessagioContracts) {}

  document() {
    return this.contracts.asyncapi(); // the AsyncAPI 3.0 document, as plain JSON
  }

  orderSchema() {
    return this.contracts.schemaOf(OrderPlaced); // its JSON Schema, nested classes under `definitions`
  }
}
// #endregion
