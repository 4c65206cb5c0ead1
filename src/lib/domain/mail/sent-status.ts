import type { MailKind, MailRecipientStatus } from './mail-schema';

// Where a sent mail stands at each recipient unit, for the sender's table (from the server's
// `mail-status:` document, ADR 0021), and who has not yet done what the sender waits for.

export type MailProgress =
	| 'waiting'
	| 'refused'
	| 'delivered'
	| 'received'
	| 'opened'
	| 'acknowledged'
	| 'answered'
	| 'replied';

export const MAIL_PROGRESS_LABELS: Readonly<Record<MailProgress, string>> = {
	waiting: 'Chưa chuyển',
	refused: 'Không chuyển được',
	delivered: 'Đã chuyển',
	received: 'Đã nhận về máy',
	opened: 'Đã mở',
	acknowledged: 'Đã xác nhận',
	answered: 'Đã trả lời giấy mời',
	replied: 'Đã trả lời'
};

/** The furthest step a recipient reached (a reply beats an answer beats "Đã nhận" beats opening). */
export function mailProgress(status: MailRecipientStatus | undefined): MailProgress {
	if (!status) return 'waiting';
	if (status.state === 'refused') return 'refused';
	if (status.repliedAt) return 'replied';
	if (status.response) return 'answered';
	if (status.acknowledgedAt) return 'acknowledged';
	if (status.openedAt) return 'opened';
	if (status.receivedAt) return 'received';
	return 'delivered';
}

/** The sender's filters: those who have not opened, not acknowledged (directives), not answered. */
export type MailGap = 'unopened' | 'unacknowledged' | 'unanswered';

export const MAIL_GAP_LABELS: Readonly<Record<MailGap, string>> = {
	unopened: 'Chưa mở',
	unacknowledged: 'Chưa xác nhận',
	unanswered: 'Chưa trả lời'
};

/** The filters that mean something for a kind of mail. */
export function gapsOf(kind: MailKind): MailGap[] {
	if (kind === 'directive') return ['unopened', 'unacknowledged', 'unanswered'];
	return ['unopened', 'unanswered'];
}

/** Whether a recipient is still missing that step. A refused one is never "missing" it. */
export function hasGap(options: {
	kind: MailKind;
	gap: MailGap;
	status: MailRecipientStatus | undefined;
}): boolean {
	const { status, gap } = options;
	if (status?.state === 'refused') return false;
	if (gap === 'unopened') return !status?.openedAt;
	if (gap === 'unacknowledged') return !status?.acknowledgedAt;
	// A meeting is answered by its response; other mail by a reply.
	return options.kind === 'meeting' ? !status?.response : !status?.repliedAt;
}
