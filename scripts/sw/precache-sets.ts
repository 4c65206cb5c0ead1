// Splits the built files into what the installed app needs to open offline (the critical set,
// installed first, all at once) and the rest (deferred: fetched after activation or at first use),
// from Vite's manifest (docs/decisions/0024-offline-ready-and-progress.md).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const OUTPUT = '.svelte-kit/output/client';
const NODES = '.svelte-kit/generated/client-optimized/nodes';

/**
 * The screens a secretary opens offline: the root layout and error page, the app's layout, error
 * page, home redirect and unknown-address page, sign-in, the roster, a member's profile, the
 * forms to add and edit a member (a secretary's daily work, done where there is no signal), the
 * account screen. Everything else (print, dashboard, mail, declarations review…) is deferred.
 */
const CRITICAL_ROUTES = [
	/src\/routes\/\+layout\.svelte/,
	/src\/routes\/\+error\.svelte/,
	/src\/routes\/\(app\)\/\+(layout|error|page)\.svelte/,
	/src\/routes\/\(app\)\/\[\.\.\.rest\]\//,
	/src\/routes\/\(app\)\/dang-nhap\/\+page/,
	/src\/routes\/\(app\)\/doan-vien\/\+page/,
	/src\/routes\/\(app\)\/doan-vien\/\[key\]\/(sua\/)?\+page/,
	/src\/routes\/\(app\)\/doan-vien\/moi\/\+page/,
	/src\/routes\/\(app\)\/tai-khoan\/\+page/
];

/**
 * Code those screens load lazily but cannot open without: the sync engine (started with every
 * signed-in screen; offline it still opens the device's databases).
 */
const CRITICAL_LAZY = [/src\/lib\/data\/sync\/engine-chunk\.ts$/];

interface ManifestChunk {
	file: string;
	imports?: string[];
	dynamicImports?: string[];
	css?: string[];
	assets?: string[];
}

/** The critical files' paths in the build folder (besides the shell, which build-sw.ts adds). */
export function criticalFiles(): Set<string> {
	const manifest = JSON.parse(readFileSync(join(OUTPUT, '.vite/manifest.json'), 'utf8')) as Record<
		string,
		ManifestChunk
	>;
	const files = new Set<string>();
	const seen = new Set<string>();
	const take = (key: string) => {
		if (seen.has(key)) return;
		seen.add(key);
		const chunk = manifest[key];
		if (!chunk) throw new Error(`${key} is not in Vite's manifest: has the build changed shape?`);
		files.add(chunk.file);
		for (const css of chunk.css ?? []) files.add(css);
		for (const asset of chunk.assets ?? []) files.add(asset);
		for (const imported of chunk.imports ?? []) take(imported);
		for (const lazy of chunk.dynamicImports ?? []) {
			if (CRITICAL_LAZY.some((pattern) => pattern.test(lazy))) take(lazy);
		}
	};
	const entries = Object.keys(manifest).filter(
		(key) => /\/client\/entry\.js$/.test(key) || key.endsWith('client-optimized/app.js')
	);
	if (entries.length !== 2)
		throw new Error(`expected SvelteKit's two entries, found ${entries.join(', ')}`);
	for (const key of entries) take(key);
	const nodes = readdirSync(NODES)
		.filter((name) => /^\d+\.js$/.test(name))
		.filter((name) => {
			const source = readFileSync(join(NODES, name), 'utf8');
			return CRITICAL_ROUTES.some((pattern) => pattern.test(source));
		});
	if (nodes.length !== 12)
		throw new Error(`expected the 12 nodes of the critical screens, found ${nodes.join(', ')}`);
	for (const node of nodes) take(`${NODES}/${node}`);
	return files;
}
