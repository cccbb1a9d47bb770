import type { INestApplicationContext } from '@nestjs/common';
import type { Messagio, MessagioModuleOptions } from '../../../lib/index.js';

export declare class Work extends Messagio {
  n: number;
  ms: number;
  constructor(n: number, ms?: number);
}
export declare class WorkListener {}
export declare function createWorkApp(options: MessagioModuleOptions): Promise<INestApplicationContext>;
export declare function parseLog(text: string): {
  started: Map<string, Array<{ pid: number; at: number }>>;
  done: Map<string, Array<{ pid: number; at: number }>>;
};
