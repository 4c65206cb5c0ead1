// The critical set's small files in one download (docs/decisions/0024-offline-ready-and-progress.md):
// on HTTP/1.1 over 3G each file costs a 400 ms round trip on one of six connections and ~0.4 kB of
// headers, whatever its size; ~40 of the ~45 critical files are under 16 kB (route facades of
// 50 bytes, small shared chunks, stylesheets, the shell's scripts). The build writes them, with the
// content type the server would give, into one JSON file named by its content's hash; the worker
// fetches it beside the few large files and puts each file into the precache under its own key.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { extname, join } from 'node:path';

/** Larger files keep their own request: they overlap on other connections, and the page shares them. */
export const PACK_MAX_BYTES = 16 * 1024;

// Scripts, stylesheets and data only: a document (the shell's HTML, an SVG opened on its own) keeps
// its own answer, whose Content-Security-Policy the worker's cache then serves with it offline.
const TYPES: Record<string, string> = {
	'.js': 'application/javascript; charset=utf-8',
	'.css': 'text/css; charset=utf-8',
	'.json': 'application/json; charset=utf-8',
	'.webmanifest': 'application/manifest+json; charset=utf-8'
};

export interface PackedFile {
	/** The address the page asks for, from the site's root. */
	url: string;
	/** Its content type, as the server sends it. */
	type: string;
	body: string;
}

/**
 * Writes the pack of `urls` (addresses from the site's root, text files under `dir`) as
 * `_app/immutable/critical-pack.<hash>.json` and returns its address; null when none fits.
 */
export function writeCriticalPack(options: { dir: string; urls: string[] }): string | null {
	const files: PackedFile[] = options.urls.map((url) => {
		const type = TYPES[extname(url)];
		if (!type) throw new Error(`${url}: no content type known for the critical pack`);
		return { url, type, body: readFileSync(join(options.dir, url.slice(1)), 'utf8') };
	});
	if (files.length === 0) return null;
	const text = JSON.stringify(files);
	const hash = createHash('sha256').update(text).digest('hex').slice(0, 12);
	const path = `_app/immutable/critical-pack.${hash}.json`;
	writeFileSync(join(options.dir, path), text);
	return `/${path}`;
}

/** Whether a critical file goes into the pack: a text file of at most PACK_MAX_BYTES. */
export function packable(options: { url: string; bytes: number }): boolean {
	return options.bytes <= PACK_MAX_BYTES && extname(options.url) in TYPES;
}
