import type { UnitRecord } from '../couch/provision-service';

// Who may receive a unit's reminder: its descendants only (a unit reminds the units below it), and
// only while they are active. Asked by the write guard, before a reminder is stored, and again by the
// reminder worker, before it delivers (a reminder may reach the store by another path, or a unit may
// have been merged or dissolved meanwhile). The reason is shown to the sender in Vietnamese.

export function recipientRefusal(options: {
	sender: Pick<UnitRecord, 'id'>;
	recipient: Pick<UnitRecord, 'id' | 'ancestors' | 'status'> | undefined;
}): string | undefined {
	const { sender, recipient } = options;
	if (!recipient) return 'Không tìm thấy đơn vị nhận đôn đốc.';
	if (recipient.id === sender.id) return 'Không gửi đôn đốc cho chính đơn vị mình.';
	if (!recipient.ancestors.includes(sender.id)) {
		return 'Chỉ được gửi đôn đốc cho các đơn vị trực thuộc.';
	}
	if (recipient.status === 'merged' || recipient.status === 'dissolved') {
		return 'Đơn vị nhận đã giải thể hoặc hợp nhất vào đơn vị khác.';
	}
	return undefined;
}
