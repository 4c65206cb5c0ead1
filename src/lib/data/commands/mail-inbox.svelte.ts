import { LiveQuery } from '$lib/data/read-model/live-query.svelte';
import { receivedMails, type ReceivedMailRow } from '$lib/data/queries/mail';
import { session } from '$lib/data/session/session.svelte';
import { keepAttachments } from '$lib/data/attachments';

/**
 * The mail the signed-in unit received, for the app's frame (the header's "Hộp thư" and its unread
 * count) and home screens. A device that writes (a secretary's or deputy's) records each copy's
 * arrival at first sight after a sync — the sender then sees "đã nhận về máy"; a viewer's device
 * only reads. Create it while a component initialises; one per screen is enough (the layout's).
 */
export class MailInbox {
	readonly #mails = new LiveQuery({
		input: () => session.info?.unit.db,
		query: receivedMails,
		initial: [] as ReceivedMailRow[]
	});
	readonly #unread = $derived(this.#mails.current.filter((m) => !m.openedAt));
	// Receipts already being written by this instance: a LiveQuery answer may come again before
	// the write lands in the read model.
	// Bookkeeping, not state a screen shows.
	// eslint-disable-next-line svelte/prefer-svelte-reactivity
	readonly #pending = new Set<string>();

	#keeping = false;

	constructor(options: { recordArrivals?: boolean } = {}) {
		if (!options.recordArrivals) return;
		// Files the sender marked required are fetched and kept as soon as their mail is here (one
		// pass at a time; the client skips those already kept and stops when offline).
		$effect(() => {
			const required = this.#mails.current.flatMap((m) => m.attachments.filter((a) => a.required));
			if (required.length === 0 || this.#keeping) return;
			this.#keeping = true;
			void keepAttachments(required)
				.catch(() => undefined)
				.finally(() => {
					this.#keeping = false;
				});
		});
		$effect(() => {
			const info = session.info;
			const unseen = this.#mails.current.filter((m) => !m.received && !this.#pending.has(m.docId));
			if (!info || !session.canWrite || unseen.length === 0) return;
			for (const mail of unseen) this.#pending.add(mail.docId);
			// Loaded when first needed: the mail commands bring PouchDB, which the frame (and so the
			// sign-in page, issue #17's first-load budget) does not otherwise need before a sync.
			void import('./mail')
				.then(({ recordMailReceived }) =>
					recordMailReceived({
						db: info.unit.db,
						unitId: info.unit.id,
						mails: unseen,
						actor: { login: info.user.login }
					})
				)
				.finally(() => {
				for (const mail of unseen) this.#pending.delete(mail.docId);
			});
		});
	}

	get mails(): ReceivedMailRow[] {
		return this.#mails.current;
	}

	get unread(): ReceivedMailRow[] {
		return this.#unread;
	}

	get loaded(): boolean {
		return this.#mails.loaded;
	}
}
