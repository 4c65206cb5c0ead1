import type { UnitRecord } from '../couch/provision-service';
import type { MailKind } from '../../src/lib/domain/mail';

// Who may receive a unit's mail (docs/decisions/0021-mail-between-units.md): a directive or a meeting
// invitation goes to the sender's descendants only; a message to its descendants or its ancestors
// (the chain the Union works along, never sideways to a sibling); in every case only while the
// recipient is active. Asked by the write guard before a mail is stored (mail-check.ts) and again
// by the post office before it delivers (a unit may have been merged or dissolved meanwhile). The
// reason is shown to the sender in Vietnamese, in the status document.

export function mailRecipientRefusal(options: {
	kind: MailKind;
	sender: Pick<UnitRecord, 'id' | 'ancestors'>;
	recipient: Pick<UnitRecord, 'id' | 'ancestors' | 'status'> | undefined;
}): string | undefined {
	const { kind, sender, recipient } = options;
	if (!recipient) return 'Không tìm thấy đơn vị nhận thư.';
	if (recipient.id === sender.id) return 'Không gửi thư cho chính đơn vị mình.';
	const below = recipient.ancestors.includes(sender.id);
	const above = sender.ancestors.includes(recipient.id);
	if (kind !== 'message' && !below) {
		return kind === 'directive'
			? 'Văn bản chỉ đạo chỉ gửi cho các đơn vị trực thuộc.'
			: 'Giấy mời họp chỉ gửi cho các đơn vị trực thuộc.';
	}
	if (kind === 'message' && !below && !above) {
		return 'Tin nhắn chỉ gửi cho đơn vị cấp trên hoặc các đơn vị trực thuộc.';
	}
	if (recipient.status === 'merged' || recipient.status === 'dissolved') {
		return 'Đơn vị nhận đã giải thể hoặc hợp nhất vào đơn vị khác.';
	}
	return undefined;
}
