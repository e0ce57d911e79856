/**
 * SHA-256 (hex) of a file's bytes, streamed (large files never sit in memory). Ingest records it
 * in meta.batch_files.file_sha256 and uses it for the fast reload of identical files.
 *
 * @example
 * const hex = await fileSha256('data/touchpoints.csv'); // '9f86d0…'
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

export function fileSha256(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    const stream = createReadStream(path, { highWaterMark: 1 << 20 });
    stream.on('data', (chunk) => hash.update(chunk));
    stream.on('error', reject);
    stream.on('end', () => resolve(hash.digest('hex')));
  });
}
