import { existsSync } from 'node:fs';

// Browser tests run against the built app (`npm test` builds first); fail with a clear hint otherwise.
export function ensureBuilt(): void {
	if (!existsSync('build/index.html') || !existsSync('build/sw.js')) {
		throw new Error('No build: run `npm run build` before the browser tests (npm test does it).');
	}
}
