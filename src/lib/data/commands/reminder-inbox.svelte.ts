import { LiveQuery } from '$lib/data/read-model/live-query.svelte';
import { unreadReminders, type ReceivedReminderRow } from '$lib/data/queries/reminders';
import { session } from '$lib/data/session/session.svelte';
import { acknowledgeReminders, markReminderRead } from './reminders';

/**
 * The reminders (đôn đốc) the signed-in unit received and has not read, for its home screens (the
 * roster and the morning screen): unread ones, plus the one just opened, which stays until the
 * secretary leaves. A device that writes acknowledges their arrival at once (the sender then sees
 * "đã nhận"); opening one marks it read. Create it while a component initialises.
 */
export class ReminderInbox {
	readonly #unread = new LiveQuery({
		input: () => session.info?.unit.db,
		query: unreadReminders,
		initial: [] as ReceivedReminderRow[]
	});
	#opened = $state<ReceivedReminderRow[]>([]);
	readonly #items = $derived([
		...this.#opened,
		...this.#unread.current.filter((r) => !this.#opened.some((o) => o.docId === r.docId))
	]);

	constructor() {
		$effect(() => {
			const info = session.info;
			const unseen = this.#unread.current.filter((r) => !r.received);
			if (!info || !session.canWrite || unseen.length === 0) return;
			void acknowledgeReminders({
				db: info.unit.db,
				unitId: info.unit.id,
				reminders: unseen,
				actor: { login: info.user.login }
			});
		});
	}

	get items(): ReceivedReminderRow[] {
		return this.#items;
	}

	open(docId: string): void {
		const row = this.#unread.current.find((r) => r.docId === docId);
		const info = session.info;
		if (!row || !info) return;
		this.#opened = [
			...this.#opened.filter((o) => o.docId !== row.docId),
			// A timestamp read once, not reactive state.
			// eslint-disable-next-line svelte/prefer-svelte-reactivity
			{ ...row, readAt: row.readAt ?? new Date().toISOString() }
		];
		if (!session.canWrite) return;
		void markReminderRead({
			db: info.unit.db,
			unitId: info.unit.id,
			reminder: row,
			actor: { login: info.user.login }
		});
	}
}
