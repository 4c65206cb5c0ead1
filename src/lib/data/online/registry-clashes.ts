import * as v from 'valibot';
import type { ImportClash } from '$lib/domain/spreadsheets/member-import-types';

// A member import's whole file asked of the national citizen-id registry at once
// (POST /api/registry/clashes, docs/spreadsheets.md "Clashes for a whole file"): which of the
// file's citizen ids are on the rolls in another unit, and where. Asked in slices so the preview's
// progress moves and no request is large on 3G. Offline, refused (the server's daily budget) or
// unanswered, the file is "not checked": the preview says so and the server refuses a clash at
// sync, as for any new member. Partial answers are not used: a preview that says "checked" must
// have asked about every id.

/** Ids per request: ~15 kB up on a slow link, a second or two of registry reads on the server. */
export const CLASH_SLICE = 1_000;

/** Per slice: a registry that does not answer in this long is treated as offline. */
const TIMEOUT_MS = 20_000;

const CITIZEN_ID = /^\d{12}$/;

const AnswerSchema = v.object({
	clashes: v.array(v.object({ citizenId: v.string(), unitName: v.string() }))
});

export async function askRegistryClashes(options: {
	citizenIds: readonly string[];
	/** The server's origin (tests in Node); the page's own in the browser. */
	origin?: string;
	/** Extra headers (a test's device cookie, where no browser keeps one). */
	headers?: Record<string, string>;
	signal?: AbortSignal;
	onProgress?: (done: number, total: number) => void;
}): Promise<{ clashes: ImportClash[]; checked: boolean }> {
	// Only well-formed numbers are asked (the server refuses a batch with any other): a malformed one
	// is already an invalid row.
	const ids = [...new Set(options.citizenIds)].filter((id) => CITIZEN_ID.test(id));
	if (ids.length === 0) return { clashes: [], checked: true };
	const unchecked = { clashes: [], checked: false };
	if (typeof navigator !== 'undefined' && navigator.onLine === false) return unchecked;
	const clashes: ImportClash[] = [];
	options.onProgress?.(0, ids.length);
	for (let start = 0; start < ids.length; start += CLASH_SLICE) {
		if (options.signal?.aborted) return unchecked;
		const slice = ids.slice(start, start + CLASH_SLICE);
		const answer = await askSlice({ ...options, citizenIds: slice });
		if (!answer) return unchecked;
		// Only what was asked is taken, whatever the answer holds.
		const asked = new Set(slice);
		for (const clash of answer) if (asked.has(clash.citizenId)) clashes.push(clash);
		options.onProgress?.(Math.min(start + CLASH_SLICE, ids.length), ids.length);
	}
	return { clashes, checked: true };
}

async function askSlice(options: {
	citizenIds: string[];
	origin?: string;
	headers?: Record<string, string>;
	signal?: AbortSignal;
}): Promise<ImportClash[] | undefined> {
	const timeout = AbortSignal.timeout(TIMEOUT_MS);
	try {
		const res = await fetch(`${options.origin ?? ''}/api/registry/clashes`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', ...options.headers },
			body: JSON.stringify({ citizenIds: options.citizenIds }),
			credentials: 'same-origin',
			signal: options.signal ? AbortSignal.any([options.signal, timeout]) : timeout
		});
		if (res.status !== 200) return undefined;
		const parsed = v.safeParse(AnswerSchema, await res.json());
		return parsed.success ? parsed.output.clashes : undefined;
	} catch {
		return undefined;
	}
}
