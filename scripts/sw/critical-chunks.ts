// Two chunks for the offline core instead of ~80 (docs/decisions/0024-offline-ready-and-progress.md):
// on 3G (400 ms a round trip) and HTTP/1.1, the critical set's files cost round trips and ~0.9 kB
// of headers each, more than their bytes. Left to the default split, the screens used offline
// came in ~80 chunks of 1–5 kB. Here every module that an offline screen imports statically goes
// into one of two chunks:
// - `shell`: what the sign-in screen and the app's layout import (loaded before the form shows on
//   any visit, so merging them costs nothing);
// - `screens`: what only the other offline screens (roster, profile, member forms, account) and
//   the sync engine import (the worker fetches it while the secretary types her password).
// A module the members' public declaration page (/khai) may load, before or after its form shows,
// is left to the default split, so that page keeps its own small chunks (60 KB budget, ADR 0019):
// the last attempt, one catch-all group, pulled the app into that page. Modules other screens load
// only lazily stay lazy (a module is taken only when an offline screen imports it statically).
import type { ChunkingContext, ModuleInfo } from 'rolldown';
import { CRITICAL_LAZY, OFFLINE_SCREENS, ROOT_ROUTES, SIGN_IN_ROUTES } from './critical-routes.js';

type RootKind = 'public' | 'sign-in' | 'screen' | 'other';

const NODE = /\.svelte-kit\/generated\/client(-optimized)?\/nodes\/\d+\.js$/;
const DECLARATION_ROUTE = /src\/routes\/khai\//;

/** What a SvelteKit route node (a dynamic entry per layout and page) serves. */
function nodeKind(ids: readonly string[]): RootKind {
	const imports = (patterns: RegExp[]) => ids.some((id) => patterns.some((p) => p.test(id)));
	// The root layout and error page wrap /khai too: their imports are the public page's.
	if (imports(ROOT_ROUTES) || imports([DECLARATION_ROUTE])) return 'public';
	if (imports(SIGN_IN_ROUTES)) return 'sign-in';
	if (imports(OFFLINE_SCREENS)) return 'screen';
	return 'other';
}

/**
 * The kinds of the roots from which `id` is reached, walking up its importers: static ones only
 * (what loads with a root), or also dynamic ones (what a root may load later). A walk stops at a
 * route node and at an entry (SvelteKit's, loaded by every page, /khai's too), and the static walk
 * at the sync engine's chunk (loaded with every signed-in screen: an offline screen's).
 */
function rootKinds(id: string, ctx: ChunkingContext, dynamic: boolean): Set<RootKind> {
	const start = ctx.getModuleInfo(id);
	if (!start) return new Set();
	// Rolldown reuses its module infos within a chunking pass: a walk's answer is kept on them, and a
	// later walk that reaches a module already answered takes its answer whole (a complete set).
	const memo = dynamic ? dynamicMemo : staticMemo;
	const known = memo.get(start);
	if (known) return known;
	const kinds = new Set<RootKind>();
	const seen = new Set<string>([id]);
	const queue = [start];
	while (queue.length > 0) {
		const info = queue.pop()!;
		const answered = info === start ? undefined : memo.get(info);
		if (answered) {
			for (const kind of answered) kinds.add(kind);
			continue;
		}
		if (NODE.test(info.id)) {
			kinds.add(nodeKind(info.importedIds));
			continue;
		}
		if (info.isEntry) {
			kinds.add('public');
			continue;
		}
		if (!dynamic && CRITICAL_LAZY.some((p) => p.test(info.id))) {
			kinds.add('screen');
			continue;
		}
		const up = dynamic ? [...info.importers, ...info.dynamicImporters] : info.importers;
		// Reached only through a dynamic import: lazy, whoever imports it.
		if (!dynamic && info.importers.length === 0 && info.dynamicImporters.length > 0) {
			kinds.add('other');
		}
		for (const next of up) {
			if (seen.has(next)) continue;
			seen.add(next);
			const nextInfo = ctx.getModuleInfo(next);
			if (nextInfo) queue.push(nextInfo);
		}
	}
	memo.set(start, kinds);
	return kinds;
}

const staticMemo = new WeakMap<ModuleInfo, Set<RootKind>>();
const dynamicMemo = new WeakMap<ModuleInfo, Set<RootKind>>();

/** The chunk for `id`: `shell`, `screens`, or null (the default split). */
export function criticalChunkName(id: string, ctx: ChunkingContext): string | null {
	// In the server build every module is reached from an entry: none is taken.
	if (rootKinds(id, ctx, true).has('public')) return null;
	const info = ctx.getModuleInfo(id);
	const kinds =
		info && NODE.test(id) ? new Set([nodeKind(info.importedIds)]) : rootKinds(id, ctx, false);
	if (kinds.has('sign-in')) return 'shell';
	if (kinds.has('screen')) return 'screens';
	return null;
}
