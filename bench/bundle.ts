import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';

// The app's own data layer (src/lib/data), bundled for the bench the way Vite resolves it for the
// app: `$lib` → src/lib. In Node, `pouchdb-browser` becomes the Node PouchDB the tests use
// (tests/support/pouchdb-node.ts); in the browser it stays the real thing.

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CACHE = join(ROOT, 'node_modules', '.cache', 'doanvu-bench');

function resolveFile(base: string): string {
	const candidates = [
		base,
		`${base}.ts`,
		`${base}.js`,
		join(base, 'index.ts'),
		join(base, 'index.js')
	];
	const found = candidates.find(
		(candidate) => existsSync(candidate) && statSync(candidate).isFile()
	);
	if (!found) throw new Error(`cannot resolve ${base}`);
	return found;
}

function appResolver(options: { node: boolean }): Plugin {
	return {
		name: 'doanvu-app',
		setup(b) {
			b.onResolve({ filter: /^\$lib(\/|$)/ }, (args) => ({
				path: resolveFile(join(ROOT, 'src', 'lib', args.path.slice('$lib'.length)))
			}));
			if (options.node) {
				// Loaded by Node (through tsx), not bundled: one PouchDB class with its plugins for the
				// process, however many simulated devices import the bundle.
				b.onResolve({ filter: /^pouchdb-browser$/ }, () => ({
					path: pathToFileURL(join(ROOT, 'tests', 'support', 'pouchdb-node.ts')).href,
					external: true
				}));
				// Everything else from node_modules is loaded by Node at run time.
				b.onResolve({ filter: /^[^./]/ }, (args) => ({ path: args.path, external: true }));
			}
		}
	};
}

/** Bundles a bench entry for Node; returns the file to import(). */
export async function bundleForNode(entry: string, name: string): Promise<string> {
	mkdirSync(CACHE, { recursive: true });
	const outfile = join(CACHE, `${name}.mjs`);
	await build({
		entryPoints: [entry],
		outfile,
		bundle: true,
		platform: 'node',
		format: 'esm',
		target: 'node20',
		logLevel: 'warning',
		plugins: [appResolver({ node: true })]
	});
	return outfile;
}

/** Bundles a bench entry for the browser into `outdir`; returns the file name. */
export async function bundleForBrowser(options: {
	entry: string;
	outdir: string;
}): Promise<string> {
	mkdirSync(options.outdir, { recursive: true });
	const outfile = join(options.outdir, 'bench.js');
	await build({
		entryPoints: [options.entry],
		outfile,
		bundle: true,
		platform: 'browser',
		format: 'esm',
		target: 'es2020',
		minify: true,
		logLevel: 'warning',
		define: { global: 'globalThis', 'process.env.NODE_ENV': '"production"' },
		plugins: [appResolver({ node: false })]
	});
	return outfile;
}
