import { createReadStream } from 'node:fs';
import { Controller, Get, Header, Inject, NotFoundException, Req, StreamableFile, type Type } from '@nestjs/common';
import { asyncApiPage, PAGE_UNAVAILABLE, type PageAssets } from './asyncapi-page.js';
import type { AsyncApiDocument } from './asyncapi-document.js';
import { MessagioContracts } from './messagio-contracts.js';

/** The request as Express and Fastify both give it. */
interface RequestLike {
  originalUrl?: string;
  url: string;
}

/**
 * The routes of `MessagioContractsModule.forRoot({ path })`, made for that
 * path: `GET /<path>.json` (the document), `GET /<path>` (the page), and the
 * page's bundle and styles under `/<path>/`. `assets` is where the bundle is
 * installed (undefined when it is not: the page and its files answer 404).
 */
export function asyncApiController(path: string, assets: PageAssets | undefined): Type {
  @Controller()
  class MessagioAsyncApiController {
    constructor(@Inject(MessagioContracts) private readonly contracts: MessagioContracts) {}

    @Get(`${path}.json`)
    document(): AsyncApiDocument {
      return this.contracts.asyncapi();
    }

    @Get(path)
    @Header('Content-Type', 'text/html; charset=utf-8')
    page(@Req() request: RequestLike): string {
      if (!assets) throw new NotFoundException(PAGE_UNAVAILABLE);
      // Absolute from the request: the page works behind a global prefix, with or without a trailing slash.
      const base = (request.originalUrl ?? request.url).split('?')[0]!.replace(/\/+$/, '');
      return asyncApiPage(this.contracts.asyncapi().info.title, base);
    }

    @Get(`${path}/asyncapi-standalone.js`)
    script(): StreamableFile {
      if (!assets) throw new NotFoundException(PAGE_UNAVAILABLE);
      return new StreamableFile(createReadStream(assets.script), { type: 'text/javascript; charset=utf-8' });
    }

    @Get(`${path}/asyncapi.css`)
    style(): StreamableFile {
      if (!assets) throw new NotFoundException(PAGE_UNAVAILABLE);
      return new StreamableFile(createReadStream(assets.style), { type: 'text/css; charset=utf-8' });
    }
  }
  return MessagioAsyncApiController;
}
