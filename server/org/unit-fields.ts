import * as v from 'valibot';
import { DATABASE_UNIT_KINDS, getUnitKind } from '../../src/lib/domain/unit-kinds';
import { UNIT_ID_PATTERN } from '../couch/db-names';

// Fields of the unit forms, shared by founding, renaming and splitting.

// Absent fields arrive as '' so that the field's own Vietnamese message says what is missing.
export const UnitName = v.pipe(
	v.optional(v.string('Tên đơn vị phải là chữ.'), ''),
	v.transform((value) => value.normalize('NFC').replace(/\s+/g, ' ').trim()),
	v.minLength(2, 'Vui lòng nhập tên đơn vị (ít nhất 2 ký tự).'),
	v.maxLength(200, 'Tên đơn vị quá dài (tối đa 200 ký tự).')
);

export const UnitIdField = (message: string) =>
	v.pipe(v.optional(v.string(message), ''), v.regex(UNIT_ID_PATTERN, message));

export const BAD_BODY = 'Dữ liệu gửi lên không hợp lệ.';

// Branches and liên chi đoàn are documents of their grassroots unit (ADR 0004), not units here.
const DB_KIND_IDS = DATABASE_UNIT_KINDS.map((kind) => kind.id);
export const UnitKindField = v.pipe(
	v.optional(v.string('Vui lòng chọn loại đơn vị.'), ''),
	v.check(
		(kind) => getUnitKind(kind)?.hasDatabase !== false,
		'Chi đoàn và liên chi đoàn không phải đơn vị riêng: hãy thêm chúng trong đơn vị cơ sở của mình.'
	),
	v.picklist(DB_KIND_IDS, 'Loại đơn vị không hợp lệ.')
);
