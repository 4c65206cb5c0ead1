// Moves the inline scripts of the built pages into files, after `vite build` and before the service
// worker is generated: the Content-Security-Policy (server/http/security-headers.ts) allows scripts from
// this origin only, and SvelteKit's adapter-static writes its bootstrap inline in every page.
// Each script goes to `<buildDir>/boot.<hash>.js` and is loaded from `/boot.<hash>.js` — an absolute
// path, like SvelteKit's own `/_app/…` imports, since the fallback page answers deep links such as
// `/doan-vien/…` — as a classic, blocking script in the same place, so that
// `document.currentScript.parentElement` is unchanged.
// Usage: tsx scripts/externalize-inline-scripts.ts [buildDir]  (default build/)
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2] ?? 'build';

function htmlFiles(root: string): string[] {
	return readdirSync(root, { withFileTypes: true, recursive: true })
		.filter((entry) => entry.isFile() && entry.name.endsWith('.html'))
		.map((entry) => join(entry.parentPath, entry.name));
}

// An executable inline script: no src, and no type or a JavaScript one (JSON data blocks stay).
const INLINE_SCRIPT = /<script(\s[^>]*)?>([\s\S]*?)<\/script>/gi;

function isExecutableInline(attributes: string): boolean {
	if (/\ssrc\s*=/i.test(attributes)) return false;
	const type = /\stype\s*=\s*["']?([^"'\s>]+)/i.exec(attributes)?.[1]?.toLowerCase();
	return type === undefined || type === 'text/javascript' || type === 'module';
}

let moved = 0;
for (const file of htmlFiles(dir)) {
	const html = readFileSync(file, 'utf8');
	const rewritten = html.replace(INLINE_SCRIPT, (whole, attributes: string = '', body: string) => {
		if (!isExecutableInline(attributes) || body.trim() === '') return whole;
		if (/\stype\s*=\s*["']?module/i.test(attributes)) {
			throw new Error(`${file}: inline module script not supported by this step`);
		}
		// Relative imports would resolve against the new file's URL instead of the page's.
		if (/import\(\s*["']\./.test(body)) {
			throw new Error(`${file}: an inline script with relative imports cannot be moved`);
		}
		const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
		const name = `boot.${hash}.js`;
		writeFileSync(join(dir, name), `${body.trim()}\n`);
		moved++;
		return `<script src="/${name}"></script>`;
	});
	if (rewritten !== html) writeFileSync(file, rewritten);
}
console.log(`inline scripts moved to files: ${moved}`);
