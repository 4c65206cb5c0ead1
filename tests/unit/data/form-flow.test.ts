import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { FormFlow } from '../../../src/lib/data/commands/form-flow.svelte';
import { loadDraft, saveDraft } from '../../../src/lib/data/commands/drafts';

// One form's steps (src/lib/data/commands/form-flow.svelte.ts): what the secretary sees is a
// second tap doing nothing while the first is saving, her mistakes shown on their fields, and a
// half-filled form that comes back after a reload but not after it was saved.

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('FormFlow', () => {
	it('runs one submission at a time and shows the fields to correct', async () => {
		const form = new FormFlow();
		let release: () => void = () => undefined;
		let runs = 0;
		const first = form.submit(async () => {
			runs++;
			await new Promise<void>((resolve) => (release = resolve));
			return { ok: false, errors: { phone: 'Số điện thoại không hợp lệ.' } };
		});
		expect(form.busy).toBe(true);
		expect(await form.submit(async () => ({ ok: true }))).toBe(false);
		release();
		expect(await first).toBe(false);
		expect(runs).toBe(1);
		expect(form.busy).toBe(false);
		expect(form.errors).toEqual({ phone: 'Số điện thoại không hợp lệ.' });

		let movedOn = false;
		expect(
			await form.submit(
				async () => ({ ok: true }),
				async () => {
					movedOn = true;
				}
			)
		).toBe(true);
		expect(movedOn).toBe(true);
		expect(form.errors).toEqual({});
	});

	it('keeps the draft while typing, restores it, and drops it once saved', async () => {
		const name = `test-${Date.now()}`;
		await saveDraft(`${name}`, { phone: '0912' });
		const form = new FormFlow<{ phone: string }>({ draft: name });
		expect(form.keep({ phone: 'ignored before restore' })).toBeUndefined();
		expect(await form.restore()).toEqual({ phone: '0912' });
		expect(form.restored).toBe(true);

		form.keep({ phone: '0912345678' });
		await sleep(400);
		expect(await loadDraft(name)).toEqual({ phone: '0912345678' });

		await form.submit(async () => ({ ok: true }));
		expect(await loadDraft(name)).toBeUndefined();
		// After the save a late keystroke's timer writes nothing back.
		expect(form.keep({ phone: 'late' })).toBeUndefined();
	});

	it('refuses a draft the page does not accept', async () => {
		const name = `stale-${Date.now()}`;
		await saveDraft(name, { rev: '1-a', values: {} });
		const form = new FormFlow<{ rev: string; values: object }>({ draft: name });
		expect(await form.restore((draft) => draft.rev === '2-b')).toBeUndefined();
		expect(form.restored).toBe(false);
	});
});
