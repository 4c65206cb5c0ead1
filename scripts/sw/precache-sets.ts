// Splits the built files into what the installed app needs to open offline (the critical set,
// installed first, all at once) and the rest (deferred: fetched after activation or at first use),
// from Vite's manifest (docs/decisions/0024-offline-ready-and-progress.md).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CRITICAL_LAZY, CRITICAL_ROUTES } from './critical-routes';

const OUTPUT = '.svelte-kit/output/client';
const NODES = '.svelte-kit/generated/client-optimized/nodes';

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
