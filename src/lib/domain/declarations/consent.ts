import * as v from 'valibot';

// The consent a member gives when declaring her own profile (issue #14; Vietnam's Personal Data
// Protection Law 91/2025/QH15, in force from 1 January 2026): explicit — a box she ticks herself,
// never ticked for her — and provable later, so a declaration records which text she agreed to and
// when. A text, once published, never changes: a new wording is a new version, and the old ones
// stay here so every recorded consent can be shown as she read it.

export interface ConsentText {
	version: string;
	/** What is collected, why, who sees it, what she may do: shown in full before the box. */
	collected: readonly string[];
	purposes: readonly string[];
	recipients: readonly string[];
	rights: readonly string[];
	/** The sentence next to the box. */
	statement: string;
}

export const CONSENT_TEXTS: Readonly<Record<string, ConsentText>> = {
	'2026-1': {
		version: '2026-1',
		collected: [
			'Họ tên, ngày sinh, giới tính, dân tộc, tôn giáo, quốc tịch, số CCCD và ngày, nơi cấp',
			'Quê quán, nơi thường trú, nơi ở hiện nay, số điện thoại, email',
			'Thông tin Đoàn: ngày vào Đoàn, nơi kết nạp, số thẻ đoàn viên, chức vụ',
			'Trình độ học vấn, chuyên môn, lý luận chính trị, tin học, ngoại ngữ, nghề nghiệp, Đảng viên'
		],
		purposes: [
			'Quản lý hồ sơ đoàn viên và sinh hoạt Đoàn của đơn vị bạn khai',
			'Tổng hợp số liệu (chỉ số đếm, không có tên) gửi Đoàn cấp trên'
		],
		recipients: [
			'Bí thư, Phó Bí thư đơn vị Đoàn bạn khai',
			'Đoàn cấp trên của đơn vị đó, trong phạm vi quản lý',
			'Không chia sẻ cho tổ chức, cá nhân nào khác'
		],
		rights: [
			'Xem và sửa bản khai bằng mã biên nhận cho đến khi được duyệt',
			'Rút bản khai khi chưa được duyệt',
			'Yêu cầu đơn vị sửa hoặc xóa thông tin sau khi đã duyệt'
		],
		statement:
			'Tôi đã đọc và đồng ý để Đoàn xử lý các thông tin cá nhân trên, cho các mục đích và trong phạm vi nêu trên.'
	}
};

/** The text a new declaration shows. */
export const CURRENT_CONSENT_VERSION = '2026-1';

/** What a declaration records of the consent: the text's version, and when she ticked the box. */
export const ConsentRecordSchema = v.object({
	version: v.picklist(
		Object.keys(CONSENT_TEXTS) as [string, ...string[]],
		'Phiên bản nội dung đồng ý không có trong danh mục.'
	),
	/** Only `true` is a consent: an unticked box is refused, never stored as a "no". */
	given: v.literal(true, 'Cần đánh dấu đồng ý xử lý thông tin cá nhân để gửi bản khai.'),
	at: v.pipe(v.string(), v.isoTimestamp('Thời điểm đồng ý phải theo dạng ISO 8601.'))
});

export type ConsentRecord = v.InferOutput<typeof ConsentRecordSchema>;

export function consentText(version: string): ConsentText | null {
	return CONSENT_TEXTS[version] ?? null;
}
