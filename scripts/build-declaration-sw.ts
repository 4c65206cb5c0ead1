// Generates the declaration page's own service worker, build/khai/sw.js (scope /khai/), after
// `vite build` (docs/decisions/0019-self-declarations.md): a member opening a join link on 3G must
// not download the whole app (~1 MB) that the app's worker precaches, yet the page must reopen
// without signal with her queued declaration. So it precaches only the shell (index.html and the
// boot script), SvelteKit's entries, the root layout and error page, and the /khai routes — each
// with the chunks and stylesheets they import, read from Vite's manifest — and answers every
// navigation under /khai/ with the shell.
// Usage: tsx scripts/build-declaration-sw.ts [buildDir]  (default build/)
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { generateSW } from 'workbox-build';

const dir = process.argv[2] ?? 'build';
const OUTPUT = '.svelte-kit/output/client';
const NODES = '.svelte-kit/generated/client-optimized/nodes';

interface ManifestChunk {
	file: string;
	isEntry?: boolean;
	imports?: string[];
	dynamicImports?: string[];
	css?: string[];
	assets?: string[];
}

const manifest = JSON.parse(readFileSync(join(OUTPUT, '.vite/manifest.json'), 'utf8')) as Record<
	string,
	ManifestChunk
>;

/** The route nodes the page needs: the root layout (0), the root error page (1), and /khai's. */
function pageNodes(): string[] {
	return readdirSync(NODES)
		.filter((name) => /^\d+\.js$/.test(name))
		.filter((name) => {
			if (name === '0.js' || name === '1.js') return true;
			return /src\/routes\/khai\//.test(readFileSync(join(NODES, name), 'utf8'));
		})
		.map((name) => `${NODES}/${name}`);
}

const files = new Set<string>();
const seen = new Set<string>();
function take(key: string, dynamic = false) {
	if (seen.has(key)) return;
	seen.add(key);
	const chunk = manifest[key];
	if (!chunk) throw new Error(`${key} is not in Vite's manifest: has the build changed shape?`);
	files.add(chunk.file);
	for (const css of chunk.css ?? []) files.add(css);
	for (const asset of chunk.assets ?? []) files.add(asset);
	// Static imports only: what a route loads lazily (an export, a chart) is not the page's.
	for (const imported of chunk.imports ?? []) take(imported, dynamic);
	// The page's own lazy parts (the form's checks, loaded once the form shows) must open offline
	// too; SvelteKit's entries import every route lazily, so only the /khai nodes' are followed.
	if (dynamic) for (const imported of chunk.dynamicImports ?? []) take(imported, dynamic);
}

// SvelteKit's two entries (its runtime's start, the app's routes table); every route node is an
// entry of Vite's too, so they are picked by file, not by `isEntry`.
const entries = Object.keys(manifest).filter(
	(key) => /\/client\/entry\.js$/.test(key) || key.endsWith('client-optimized/app.js')
);
if (entries.length !== 2)
	throw new Error(`expected SvelteKit's two entries, found ${entries.join(', ')}`);
for (const key of entries) take(key);
const nodes = pageNodes();
if (nodes.length < 4)
	throw new Error(`expected the root nodes and /khai's, found ${nodes.join(', ')}`);
for (const node of nodes) take(node, !/\/(0|1)\.js$/.test(node));

// The shell, and the boot script scripts/externalize-inline-scripts.ts moved out of it.
const shell = [
	'index.html',
	...readdirSync(dir).filter((name) => /^boot\.[0-9a-f]{12}\.js$/.test(name))
];
const precached = [...shell, ...files].filter((file) => {
	if (existsSync(join(dir, file))) return true;
	throw new Error(`${file} is in the manifest but not in ${dir}/`);
});

const { count, size, warnings } = await generateSW({
	globDirectory: dir,
	globPatterns: precached,
	swDest: `${dir}/khai/sw.js`,
	// Precache addresses are the site's (the worker lives in /khai/, the files do not).
	modifyURLPrefix: { '': '/' },
	cacheId: 'doanvu-khai',
	mode: 'production',
	inlineWorkboxRuntime: true,
	sourcemap: false,
	dontCacheBustURLsMatching: /\/_app\/immutable\//,
	navigateFallback: '/index.html',
	navigateFallbackAllowlist: [/^\/khai\//],
	// The page has no update prompt: a new version takes over at the next opening.
	skipWaiting: true,
	clientsClaim: true,
	cleanupOutdatedCaches: true
});

for (const warning of warnings) console.warn(warning);
console.log(
	`declaration service worker: ${count} files precached, ${(size / 1024).toFixed(0)} KiB`
);
