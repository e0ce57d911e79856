import type { Warehouse } from '../connection.js';

/** A versioned schema change. Versions are unique and applied in ascending order, once. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  up(wh: Warehouse): Promise<void>;
}
