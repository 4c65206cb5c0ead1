import type { DesignDoc } from './couch-client';

// The design document of every unit database. Its validate_doc_update is the last line of defence,
// applied by CouchDB to every write whoever makes it (replication included). It stays small on
// purpose: Apache CouchDB runs it in a JavaScript process per database (MEASURED.md), so the heavy
// checks (the member schema, citizen ids…) belong in the app and the server, not here.

export const DESIGN_DOC_ID = '_design/doanvu';

/** Bumped whenever the function below changes, so servers know which units still need an update. */
export const DESIGN_DOC_VERSION = 1;

// Kept as plain ES5 text: CouchDB's JavaScript engine (SpiderMonkey / QuickJS) and the embedded
// store both evaluate it; the unit id is baked in because a validation function cannot otherwise
// know which database it guards.
function validateSource(unitId: string): string {
	return `function (newDoc, oldDoc, userCtx) {
	var UNIT_ID = ${JSON.stringify(unitId)};
	var roles = userCtx.roles || [];
	function has(role) { return roles.indexOf(role) !== -1; }
	function deny(message) { throw { forbidden: message }; }
	if (has('_admin')) return;
	if (has('role:viewer')) deny('Tài khoản chỉ có quyền xem, không được thay đổi dữ liệu.');
	var id = newDoc._id || '';
	if (id.indexOf('_design/') === 0) deny('Không được thay đổi tài liệu thiết kế.');
	var type = newDoc.type;
	if (type === 'unit') deny('Thông tin đơn vị chỉ do máy chủ cập nhật.');
	if (type !== 'branch' && type !== 'member') deny('Loại tài liệu không hợp lệ.');
	if (newDoc.unitId !== UNIT_ID) deny('Tài liệu không thuộc đơn vị của cơ sở dữ liệu này.');
	if (newDoc.updatedBy !== userCtx.name) deny('Người cập nhật (updatedBy) phải là tài khoản đang đăng nhập.');
	if (oldDoc && !oldDoc._deleted && oldDoc.type !== type) deny('Không được đổi loại của tài liệu.');
	if (newDoc._attachments) deny('Chưa hỗ trợ tệp đính kèm.');
	if (type === 'branch') {
		if (id.indexOf('branch:') !== 0) deny('Mã chi đoàn phải bắt đầu bằng "branch:".');
		if (has('role:deputy')) deny('Chỉ bí thư được thay đổi danh sách chi đoàn.');
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

export function buildDesignDoc(unitId: string): DesignDoc {
	return {
		_id: DESIGN_DOC_ID,
		language: 'javascript',
		doanvuVersion: DESIGN_DOC_VERSION,
		validate_doc_update: validateSource(unitId)
	};
}
