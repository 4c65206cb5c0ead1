import { BRANCH_KINDS, BRANCH_NAME_MAX, BRANCH_STATUSES } from '../../src/lib/domain/branch-schema';
import type { DesignDoc } from './couch-client';

// The design document of every unit database. Its validate_doc_update is the last line of defence,
// applied by CouchDB to every write whoever makes it (replication included). It stays small on
// purpose: Apache CouchDB runs it in a JavaScript process per database (docs/measured.md), so the heavy
// checks (the member schema, citizen ids…) belong in the app and the server, not here.
//
// Version 3 (docs/decisions/0009-transfers-and-registry.md) adds the two device-written types of the
// member operations: `transfer:<ulid>` offers, which only the server creates and the receiving unit
// answers once (pending → accepted | rejected, decidedBy = the writer, nothing else of the offer
// changed), and `numbering:<year>` registers of decision numbers, whose claimed blocks are never
// dropped (two claims on one revision are refused by CouchDB's revision check, not here).
// Version 4 accepts the unit's yearly training-programme result sent to its superior
// (`training:<year>`, "chuyển cấp trên"), which may be sent again but never deleted.
// Version 5 binds `createdBy` to the writer when a document is created (no live old revision), for
// every device-written type that carries it, history entries included: before, only an update was
// checked, so a secretary could create an entry "created by" the province. The server (`_admin`)
// and its workers are exempt; a document created offline and edited again before its first push
// arrives with `new_edits: false` and no old revision, but one device holds one account (sign-out
// wipes it), so its creator is the pusher.
// Version 5 also lets deputies write `branch:` documents as they write members (the unit manages its chi
// đoàn in the app), never deletes one (members' history names it: it merges or closes instead), and
// checks its name, kind and status, and that a new one's id starts with the unit's id.
// Version 6 (docs/figures.md, issue #13): `figures:` documents are the server's alone — any user's
// write, update or deletion of one is refused, whatever its body says; `target:<unitId>:<year>`
// (a superior's yearly target for a subordinate unit) and `device-report:<deviceId>` are written by
// a secretary or deputy (or the top unit's admin) of this database's own unit only — not by a
// superior syncing it — with the id matching the body and non-negative integer counts. That a
// target's unit lies beneath this one is checked by the /couch write guard (it needs the directory).
// Version 6 (reminders, docs/decisions/0018-reminders-and-receipts.md): `reminder:<ulid>` written
// once by the unit's own secretary or deputy (not a superior's account), never changed or deleted;
// `reminder-received:` copies and `reminder-status:` documents only by the server; a
// `reminder-receipt:` only by the unit's own accounts, its read time and reader never changed once
// set; and `device-report:<deviceId>` from the unit's own accounts, whose id names its deviceId.
// Version 7 (self-declarations, docs/decisions/0019-self-declarations.md): `declaration:` documents
// are the server's alone, as `figures:` are (it writes them on the member's behalf from the public
// API) — any user's write, update or deletion is refused, whatever the body says. `join-link:unit`
// and `join-link:<branch key>` are written by the unit's own secretary, deputy or admin (not a
// superior's account), with a 10-character Crockford code and an `enabled` flag, never deleted (it
// is disabled instead); a chi đoàn's link names the chi đoàn whose id it carries. A
// `declaration-review:<ulid>` is written by the same accounts for `declaration:<the same ulid>`,
// with a decision, the revision it read (a positive integer), `decidedBy` the writer whenever the
// decision changes, and a reason (1–500 characters) for a rejection or a correction request; it is
// never deleted. An approval or a rejection is final: a later write (the unit reading a revision the
// member sent after the decision) keeps the decision, the reason and the member id, and may only
// move the revision forward and record who read it and when (decidedBy then is the writer or
// unchanged).
// Version 8 (mail between units, docs/decisions/0021-mail-between-units.md): `mail:<ulid>` is written
// once by the unit's own secretary, deputy or admin (not a superior's account syncing it, not a
// viewer), never changed or deleted, with a kind (message, directive, meeting), a subject of 1–200
// characters and 1–500 recipients; a directive carries `directive`, a meeting `meeting` with its
// `startsAt`. `mail-received:` copies and `mail-status:` documents are the server's alone: any
// user's write, update or deletion is refused, by type, by id prefix and by the old revision's type.
// A `mail-receipt:<sender>:<ulid>` is written only by the unit's own accounts, its id matching its
// `fromUnitId` and `mailId`, never deleted, with `receivedAt`; its opened and acknowledged times
// and who did it never change once set, a newly set `openedBy`/`acknowledgedBy` is the writer, and
// a changed meeting answer is signed by the writer (`response.by`). `meeting-attendance:<ulid>` is
// written by the unit's own secretary, deputy or admin for `mail:<the same ulid>`, never deleted.
// Who may be written to, and whether the attachments were uploaded from this unit, is checked by the
// /couch write guard (mail-check.ts: it needs the directory and the file store), and again by the
// post office at delivery.

export const DESIGN_DOC_ID = '_design/doanvu';

/**
 * Bumped whenever the function below changes: the directory records which version each unit
 * database has (`designVersion`), and the server brings older ones up to date at start.
 */
export const DESIGN_DOC_VERSION = 8;

/**
 * `open`: the unit's accounts (and its superiors') write as the rules below allow.
 * `closed`: a dissolved unit, or a merged one whose forwarding its superior closed — its records stay
 * readable, and nobody but the server writes there any more.
 */
export type DesignMode = 'open' | 'closed';

export const CLOSED_REASON =
	'Đơn vị này đã giải thể hoặc đã hợp nhất vào đơn vị khác: dữ liệu chỉ còn để tra cứu.';

// Kept as plain ES5 text: CouchDB's JavaScript engine (SpiderMonkey / QuickJS) and the embedded
// store both evaluate it; the unit id is baked in because a validation function cannot otherwise
// know which database it guards.
function validateSource(unitId: string, mode: DesignMode): string {
	return `function (newDoc, oldDoc, userCtx) {
	var UNIT_ID = ${JSON.stringify(unitId)};
	var CLOSED = ${mode === 'closed' ? JSON.stringify(CLOSED_REASON) : 'null'};
	var roles = userCtx.roles || [];
	function has(role) { return roles.indexOf(role) !== -1; }
	function deny(message) { throw { forbidden: message }; }
	if (has('_admin')) return;
	if (CLOSED) deny(CLOSED);
	if (has('role:viewer')) deny('Tài khoản chỉ có quyền xem, không được thay đổi dữ liệu.');
	var id = newDoc._id || '';
	if (id.indexOf('_design/') === 0) deny('Không được thay đổi tài liệu thiết kế.');
	var type = newDoc.type;
	if (type === 'unit') deny('Thông tin đơn vị chỉ do máy chủ cập nhật.');
	if (type === 'figures' || id.indexOf('figures:') === 0 || (oldDoc && oldDoc.type === 'figures')) deny('Số liệu tổng hợp chỉ do máy chủ tính và ghi.');
	if (type === 'reminder-received' || type === 'reminder-status' || id.indexOf('reminder-received:') === 0 || id.indexOf('reminder-status:') === 0) deny('Tài liệu đôn đốc này chỉ do máy chủ ghi.');
	if (type === 'mail-received' || type === 'mail-status' || id.indexOf('mail-received:') === 0 || id.indexOf('mail-status:') === 0 || (oldDoc && (oldDoc.type === 'mail-received' || oldDoc.type === 'mail-status'))) deny('Tài liệu thư này chỉ do máy chủ ghi.');
	if (type === 'declaration' || id.indexOf('declaration:') === 0 || (oldDoc && oldDoc.type === 'declaration')) deny('Bản khai của đoàn viên chỉ do máy chủ ghi.');
	if (type !== 'branch' && type !== 'member' && type !== 'history' && type !== 'transfer' && type !== 'numbering' && type !== 'training-submission' && type !== 'reminder' && type !== 'reminder-receipt' && type !== 'device-report' && type !== 'target' && type !== 'join-link' && type !== 'declaration-review' && type !== 'mail' && type !== 'mail-receipt' && type !== 'meeting-attendance') deny('Loại tài liệu không hợp lệ.');
	if (newDoc.unitId !== UNIT_ID) deny('Tài liệu không thuộc đơn vị của cơ sở dữ liệu này.');
	if (newDoc.updatedBy !== userCtx.name) deny('Người cập nhật (updatedBy) phải là tài khoản đang đăng nhập.');
	if (oldDoc && !oldDoc._deleted && oldDoc.type !== type) deny('Không được đổi loại của tài liệu.');
	if (newDoc._attachments) deny('Chưa hỗ trợ tệp đính kèm.');
	if (!newDoc._deleted && (!oldDoc || oldDoc._deleted) && type !== 'training-submission' && newDoc.createdBy !== userCtx.name) deny('Người tạo (createdBy) phải là tài khoản đang đăng nhập.');
	if (type === 'history') {
		if (id.indexOf('history:') !== 0) deny('Mã mục lịch sử phải bắt đầu bằng "history:".');
		if (oldDoc || newDoc._deleted) deny('Lịch sử đoàn viên chỉ được ghi thêm, không được sửa hoặc xóa.');
		if (typeof newDoc.memberId !== 'string' || newDoc.memberId.indexOf('member:') !== 0) deny('Mục lịch sử thiếu đoàn viên (memberId).');
		if (id.indexOf('history:' + newDoc.memberId.slice(7) + ':') !== 0) deny('Mã mục lịch sử phải chứa mã của đoàn viên (history:<ULID đoàn viên>:…).');
		if (!newDoc.kind) deny('Mục lịch sử thiếu loại nghiệp vụ (kind).');
		if (!newDoc.at) deny('Mục lịch sử thiếu thời điểm (at).');
		return;
	}
	if (!newDoc._deleted && oldDoc && !oldDoc._deleted && oldDoc.createdBy && newDoc.createdBy !== oldDoc.createdBy) {
		deny('Không được đổi người tạo (createdBy) của tài liệu.');
	}
	if (type === 'transfer') {
		if (id.indexOf('transfer:') !== 0) deny('Mã chuyển sinh hoạt phải bắt đầu bằng "transfer:".');
		if (!oldDoc || oldDoc._deleted) deny('Đề nghị chuyển sinh hoạt chỉ do máy chủ gửi đến.');
		if (newDoc._deleted) deny('Không được xóa đề nghị chuyển sinh hoạt.');
		if (oldDoc.state !== 'pending') deny('Đề nghị chuyển sinh hoạt này đã được trả lời.');
		if (newDoc.state !== 'accepted' && newDoc.state !== 'rejected') deny('Chỉ được tiếp nhận hoặc từ chối đề nghị chuyển sinh hoạt.');
		if (newDoc.decidedBy !== userCtx.name) deny('Người trả lời (decidedBy) phải là tài khoản đang đăng nhập.');
		if (newDoc.transferId !== oldDoc.transferId || newDoc.memberId !== oldDoc.memberId || newDoc.fromUnitId !== oldDoc.fromUnitId) deny('Không được sửa nội dung đề nghị chuyển sinh hoạt.');
		if (newDoc.state === 'accepted' && !newDoc.branchId) deny('Tiếp nhận cần chọn chi đoàn (branchId).');
		if (newDoc.state === 'rejected' && !newDoc.rejectionReason) deny('Từ chối cần ghi lý do (rejectionReason).');
		return;
	}
	if (type === 'target' || type === 'device-report') {
		if (!has('unit:' + UNIT_ID) || !(has('role:secretary') || has('role:deputy') || has('role:admin'))) deny('Chỉ Bí thư hoặc Phó Bí thư của đơn vị được ghi tài liệu này.');
	}
	if (type === 'target') {
		var target = /^target:([a-z0-9]{4,24}):(\\d{4})$/.exec(id);
		if (!target) deny('Mã chỉ tiêu phải có dạng target:<mã đơn vị>:<năm>.');
		if (target[1] === UNIT_ID) deny('Chỉ tiêu chỉ giao cho đơn vị trực thuộc.');
		if (newDoc._deleted) deny('Không được xóa chỉ tiêu: hãy đặt chỉ tiêu khác.');
		if (newDoc.forUnitId !== target[1] || newDoc.year !== Number(target[2])) deny('Đơn vị hoặc năm của chỉ tiêu không khớp với mã.');
		if (typeof newDoc.members !== 'number' || newDoc.members < 0 || Math.floor(newDoc.members) !== newDoc.members) deny('Chỉ tiêu đoàn viên (members) phải là số nguyên không âm.');
		return;
	}
	if (type === 'device-report') {
		if (!/^device-report:[A-Za-z0-9_-]{8,64}$/.test(id)) deny('Mã báo cáo thiết bị phải có dạng device-report:<mã thiết bị>.');
		if (newDoc._deleted) deny('Không được xóa báo cáo thiết bị.');
		if (id !== 'device-report:' + newDoc.deviceId) deny('Mã báo cáo thiết bị không khớp với thiết bị (deviceId).');
		var counts = ['waiting', 'refused'];
		for (var c = 0; c < counts.length; c++) {
			var n = newDoc[counts[c]];
			if (typeof n !== 'number' || n < 0 || Math.floor(n) !== n) deny('Số đếm ' + counts[c] + ' phải là số nguyên không âm.');
		}
		return;
	}
	if (type === 'join-link' || type === 'declaration-review') {
		if (!has('unit:' + UNIT_ID) || !(has('role:secretary') || has('role:deputy') || has('role:admin'))) deny('Chỉ Bí thư hoặc Phó Bí thư của đơn vị được ghi tài liệu này.');
		if (newDoc._deleted) deny(type === 'join-link' ? 'Không được xóa đường dẫn khai báo: hãy tắt đường dẫn.' : 'Không được xóa kết quả duyệt bản khai.');
	}
	if (type === 'join-link') {
		if (id !== 'join-link:unit' && !/^join-link:${unitId}[A-Za-z0-9-]{1,40}$/.test(id)) deny('Mã đường dẫn khai báo phải có dạng join-link:unit hoặc join-link:<mã chi đoàn>.');
		if (id === 'join-link:unit' ? newDoc.branchId !== undefined : newDoc.branchId !== 'branch:' + id.slice(10)) deny('Chi đoàn (branchId) của đường dẫn khai báo không khớp với mã.');
		if (typeof newDoc.code !== 'string' || !/^[0-9A-HJKMNP-TV-Z]{10}$/.test(newDoc.code)) deny('Mã đường dẫn (code) phải gồm 10 ký tự.');
		if (typeof newDoc.enabled !== 'boolean') deny('Đường dẫn khai báo thiếu trạng thái bật/tắt (enabled).');
		return;
	}
	if (type === 'declaration-review') {
		if (!/^declaration-review:[0-9A-HJKMNP-TV-Z]{26}$/.test(id)) deny('Mã duyệt bản khai phải có dạng declaration-review:<ULID>.');
		if (newDoc.declarationId !== 'declaration:' + id.slice(19)) deny('Kết quả duyệt không khớp với bản khai (declarationId).');
		if (['approved', 'rejected', 'correction-requested'].indexOf(newDoc.decision) === -1) deny('Kết quả duyệt (decision) không hợp lệ.');
		if (typeof newDoc.revision !== 'number' || newDoc.revision < 1 || Math.floor(newDoc.revision) !== newDoc.revision) deny('Lần sửa đã đọc (revision) phải là số nguyên dương.');
		if (newDoc.reason !== undefined && (typeof newDoc.reason !== 'string' || newDoc.reason.length > 500)) deny('Lý do không quá 500 ký tự.');
		if (newDoc.decision !== 'approved' && (typeof newDoc.reason !== 'string' || !/\\S/.test(newDoc.reason))) deny('Cần ghi lý do để đoàn viên biết (reason).');
		if (!newDoc.decidedAt) deny('Kết quả duyệt thiếu thời điểm (decidedAt).');
		var before = oldDoc && !oldDoc._deleted ? oldDoc : null;
		if (before && (before.decision === 'approved' || before.decision === 'rejected')) {
			if (newDoc.decision !== before.decision || newDoc.reason !== before.reason || newDoc.memberId !== before.memberId) deny('Bản khai đã được duyệt hoặc từ chối: không được đổi kết quả.');
			if (newDoc.revision < before.revision) deny('Không được lùi lần sửa đã đọc (revision).');
		}
		var sameDecider = before && before.decision === newDoc.decision && before.decidedBy === newDoc.decidedBy;
		if (!sameDecider && newDoc.decidedBy !== userCtx.name) deny('Người duyệt (decidedBy) phải là tài khoản đang đăng nhập.');
		return;
	}
	if (type === 'numbering') {
		if (!/^numbering:\\d{4}$/.test(id)) deny('Mã sổ đăng ký số phải có dạng numbering:<năm>.');
		if (newDoc._deleted) deny('Không được xóa sổ đăng ký số văn bản.');
		if (newDoc.year !== Number(id.slice(10))) deny('Năm của sổ đăng ký số không khớp với mã.');
		if (!newDoc.blocks || typeof newDoc.blocks.length !== 'number') deny('Sổ đăng ký số thiếu danh sách khối số (blocks).');
		if (oldDoc && !oldDoc._deleted && oldDoc.blocks && newDoc.blocks.length < oldDoc.blocks.length) deny('Không được bỏ khối số đã cấp khỏi sổ đăng ký.');
		return;
	}
	if (type === 'training-submission') {
		if (!/^training:\\d{4}$/.test(id)) deny('Mã kết quả rèn luyện phải có dạng training:<năm>.');
		if (newDoc._deleted) deny('Không được xóa kết quả rèn luyện đã chuyển cấp trên.');
		if (newDoc.year !== Number(id.slice(9))) deny('Năm của kết quả rèn luyện không khớp với mã.');
		if (!newDoc.bands || typeof newDoc.bands.length !== 'number') deny('Kết quả rèn luyện thiếu số liệu xếp loại (bands).');
		return;
	}
	if (type === 'reminder') {
		if (!/^reminder:[0-9A-HJKMNP-TV-Z]{26}$/.test(id)) deny('Mã đôn đốc phải có dạng reminder:<ULID>.');
		if (!has('unit:' + UNIT_ID)) deny('Chỉ tài khoản của chính đơn vị mới được gửi đôn đốc từ đơn vị này.');
		if (oldDoc && !oldDoc._deleted) deny('Đôn đốc đã gửi không được sửa hoặc xóa.');
		if (newDoc._deleted) deny('Đôn đốc đã gửi không được sửa hoặc xóa.');
		if (typeof newDoc.text !== 'string' || !/\\S/.test(newDoc.text) || newDoc.text.length > 500) deny('Nội dung đôn đốc cần từ 1 đến 500 ký tự.');
		if (!newDoc.recipients || typeof newDoc.recipients.length !== 'number' || newDoc.recipients.length < 1 || newDoc.recipients.length > 500) deny('Đôn đốc cần từ 1 đến 500 đơn vị nhận.');
		return;
	}
	if (type === 'reminder-receipt') {
		if (!/^reminder-receipt:[a-z0-9]{4,24}:[0-9A-HJKMNP-TV-Z]{26}$/.test(id)) deny('Mã xác nhận đôn đốc không hợp lệ.');
		if (!has('unit:' + UNIT_ID)) deny('Chỉ tài khoản của đơn vị nhận mới được xác nhận đôn đốc.');
		if (newDoc._deleted) deny('Không được xóa xác nhận đôn đốc.');
		if (id !== 'reminder-receipt:' + newDoc.fromUnitId + ':' + newDoc.reminderId) deny('Xác nhận đôn đốc không khớp với mã.');
		if (!newDoc.receivedAt) deny('Xác nhận đôn đốc thiếu thời điểm nhận (receivedAt).');
		if (oldDoc && !oldDoc._deleted && oldDoc.readAt && (newDoc.readAt !== oldDoc.readAt || newDoc.readBy !== oldDoc.readBy)) deny('Đôn đốc đã được đọc: không được sửa thời điểm đọc.');
		if (newDoc.readAt && !(oldDoc && !oldDoc._deleted && oldDoc.readAt) && newDoc.readBy !== userCtx.name) deny('Người đọc (readBy) phải là tài khoản đang đăng nhập.');
		return;
	}
	if (type === 'mail' || type === 'meeting-attendance') {
		if (!has('unit:' + UNIT_ID) || !(has('role:secretary') || has('role:deputy') || has('role:admin'))) deny('Chỉ Bí thư hoặc Phó Bí thư của đơn vị được gửi thư từ đơn vị này.');
	}
	if (type === 'mail') {
		if (!/^mail:[0-9A-HJKMNP-TV-Z]{26}$/.test(id)) deny('Mã thư phải có dạng mail:<ULID>.');
		if ((oldDoc && !oldDoc._deleted) || newDoc._deleted) deny('Thư đã gửi không được sửa hoặc xóa: hãy gửi thư mới.');
		if (['message', 'directive', 'meeting'].indexOf(newDoc.kind) === -1) deny('Loại thư (kind) không hợp lệ.');
		if (typeof newDoc.subject !== 'string' || !/\\S/.test(newDoc.subject) || newDoc.subject.length > 200) deny('Tiêu đề thư cần từ 1 đến 200 ký tự.');
		if (!newDoc.recipients || typeof newDoc.recipients.length !== 'number' || newDoc.recipients.length < 1 || newDoc.recipients.length > 500) deny('Thư cần từ 1 đến 500 đơn vị nhận.');
		if (newDoc.kind === 'directive' && (!newDoc.directive || typeof newDoc.directive !== 'object')) deny('Văn bản chỉ đạo thiếu thông tin văn bản (directive).');
		if (newDoc.kind === 'meeting' && (!newDoc.meeting || typeof newDoc.meeting !== 'object' || typeof newDoc.meeting.startsAt !== 'string')) deny('Giấy mời họp thiếu thời điểm bắt đầu (meeting.startsAt).');
		return;
	}
	if (type === 'meeting-attendance') {
		if (!/^meeting-attendance:[0-9A-HJKMNP-TV-Z]{26}$/.test(id)) deny('Mã điểm danh cuộc họp phải có dạng meeting-attendance:<ULID>.');
		if (newDoc._deleted) deny('Không được xóa điểm danh cuộc họp.');
		if (newDoc.mailId !== id.slice(19)) deny('Điểm danh không khớp với giấy mời họp (mailId).');
		return;
	}
	if (type === 'mail-receipt') {
		if (!/^mail-receipt:[a-z0-9]{4,24}:[0-9A-HJKMNP-TV-Z]{26}$/.test(id)) deny('Mã xác nhận thư không hợp lệ.');
		if (!has('unit:' + UNIT_ID)) deny('Chỉ tài khoản của đơn vị nhận mới được xác nhận thư.');
		if (newDoc._deleted) deny('Không được xóa xác nhận thư.');
		if (id !== 'mail-receipt:' + newDoc.fromUnitId + ':' + newDoc.mailId) deny('Xác nhận thư không khớp với mã.');
		if (!newDoc.receivedAt) deny('Xác nhận thư thiếu thời điểm nhận (receivedAt).');
		var prior = oldDoc && !oldDoc._deleted ? oldDoc : null;
		var marks = [['openedAt', 'openedBy', 'Thư đã được mở: không được sửa thời điểm mở.'], ['acknowledgedAt', 'acknowledgedBy', 'Thư đã được xác nhận: không được sửa thời điểm xác nhận.']];
		for (var m = 0; m < marks.length; m++) {
			var at = marks[m][0];
			var by = marks[m][1];
			if (prior && prior[at]) {
				if (newDoc[at] !== prior[at] || newDoc[by] !== prior[by]) deny(marks[m][2]);
			} else if (newDoc[at] && newDoc[by] !== userCtx.name) {
				deny('Người thực hiện (' + by + ') phải là tài khoản đang đăng nhập.');
			}
		}
		var was = (prior && prior.response) || {};
		var now = newDoc.response;
		if (now) {
			var fields = ['answer', 'reason', 'delegate', 'at', 'by'];
			var changed = false;
			for (var f = 0; f < fields.length; f++) if (now[fields[f]] !== was[fields[f]]) changed = true;
			if (changed && now.by !== userCtx.name) deny('Người trả lời (response.by) phải là tài khoản đang đăng nhập.');
		}
		return;
	}
	if (type === 'branch') {
		if (id.indexOf('branch:') !== 0) deny('Mã chi đoàn phải bắt đầu bằng "branch:".');
		if (newDoc._deleted) deny('Không được xóa chi đoàn: hãy hợp nhất hoặc giải thể chi đoàn.');
		if ((!oldDoc || oldDoc._deleted) && !/^branch:${unitId}[A-Za-z0-9-]{1,40}$/.test(id)) deny('Mã chi đoàn mới phải có dạng branch:${unitId}…');
		if (typeof newDoc.name !== 'string' || !/\\S/.test(newDoc.name) || newDoc.name.length > ${BRANCH_NAME_MAX}) deny('Chi đoàn cần có tên (name), không quá ${BRANCH_NAME_MAX} ký tự.');
		if (${JSON.stringify(BRANCH_KINDS)}.indexOf(newDoc.kind) === -1) deny('Loại chi đoàn (kind) không hợp lệ.');
		if (${JSON.stringify(BRANCH_STATUSES)}.indexOf(newDoc.status) === -1) deny('Trạng thái chi đoàn (status) không hợp lệ.');
		return;
	}
	if (id.indexOf('member:') !== 0) deny('Mã đoàn viên phải bắt đầu bằng "member:".');
	if (newDoc._deleted) return;
	var required = ['familyName', 'givenName', 'birthDate', 'status'];
	for (var i = 0; i < required.length; i++) {
		if (!newDoc[required[i]]) deny('Hồ sơ đoàn viên thiếu trường bắt buộc: ' + required[i] + '.');
	}
}`;
}

export function buildDesignDoc(unitId: string, mode: DesignMode = 'open'): DesignDoc {
	return {
		_id: DESIGN_DOC_ID,
		language: 'javascript',
		doanvuVersion: DESIGN_DOC_VERSION,
		doanvuMode: mode,
		validate_doc_update: validateSource(unitId, mode)
	};
}
