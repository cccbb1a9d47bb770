import { Injectable } from '@nestjs/common';
import { IsString } from 'class-validator';
import { Messagio, MessagioPublisher, MessagioType } from 'nestjs-messagio';

@MessagioType('search.reindex-product')
export class ReindexProduct extends Messagio {
  @IsString() productId: string;
  @IsString() reason: string;
  constructor(productId: string, reason: string) {
    super();
    this.productId = productId;
    this.reason = reason;
  }
}

@Injectable()
export class Catalog {
  constructor(private readonly publisher: MessagioPublisher) {}

  // #region simple
  // simple: while a reindex of this product is pending (any of its listeners has not finished),
  // another fire stores nothing and is merged into it.
  async changed(productId: string): Promise<void> {
    const receipt = await this.publisher.fire(new ReindexProduct(productId, 'changed'), { dedupe: { key: productId } });
    if (receipt.deduplicated) console.log(`already pending as ${receipt.mergedInto}`);
    await receipt.wait(); // a deduplicated receipt waits for the message it was merged into
  }
  // #endregion

  // #region throttle
  // throttle: at most one reindex of a product per minute, whatever its listeners do.
  viewed(productId: string) {
    return this.publisher.fire(new ReindexProduct(productId, 'viewed'), { dedupe: { key: productId, ttl: 60_000 } });
  }
  // #endregion

  // #region debounce
  // debounce: a burst of edits makes one reindex, 2 s after the last edit, with the last edit's payload.
  edited(productId: string, field: string) {
    return this.publisher.fire(new ReindexProduct(productId, `edited ${field}`), { dedupe: { key: productId, ttl: 2000, mode: 'debounce' } });
  }
  // #endregion
}
