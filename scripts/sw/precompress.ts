// Brotli copies of the built scripts, stylesheets and JSON (the critical pack), made once at build
// time at the highest quality (docs/decisions/0024-offline-ready-and-progress.md): the server
// answers with `X.br` when the phone accepts Brotli (server/http/static-router.ts), else gzips `X`
// on the fly as before.
// Brotli at quality 11 is ~13 % smaller than gzip for the offline core (~204 kB against ~235 kB),
// ~0.6 s less on 3G; too slow to run per request, hence here. Browsers ask for Brotli over HTTPS
// (the TLS front of a deployment, docs/deploy.md) and, Chromium, from localhost (the benches);
// a phone reaching a LAN server over plain http gets gzip.
import { brotliCompressSync, constants } from 'node:zlib';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Below this a response is sent as it is (the server's compression threshold: 1 kB). */
const MIN_BYTES = 1024;

/**
 * Writes `X.br` beside every script and stylesheet under `<dir>/_app/immutable` that has none.
 * Their names are their content's hash, so an existing copy is current (a copied build, as the
 * tests make, is not compressed again). Returns how many were written and their bytes.
 */
export function precompress(dir: string): { files: number; bytes: number; brotliBytes: number } {
	const result = { files: 0, bytes: 0, brotliBytes: 0 };
	const walk = (folder: string) => {
		for (const entry of readdirSync(folder, { withFileTypes: true })) {
			const path = join(folder, entry.name);
			if (entry.isDirectory()) walk(path);
			else if (/\.(js|css|json)$/.test(entry.name) && !existsSync(`${path}.br`)) {
				const source = new Uint8Array(readFileSync(path));
				if (source.length < MIN_BYTES) continue;
				const compressed = brotliCompressSync(source, {
					params: {
						[constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
						[constants.BROTLI_PARAM_SIZE_HINT]: source.length
					}
				});
				writeFileSync(`${path}.br`, new Uint8Array(compressed));
				result.files++;
				result.bytes += source.length;
				result.brotliBytes += compressed.length;
			}
		}
	};
	walk(join(dir, '_app', 'immutable'));
	return result;
}
