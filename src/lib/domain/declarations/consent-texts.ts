// The consent texts a member reads before she ticks the box (consent.ts says why and how they are
// recorded). A published text never changes: a new wording is a new version.

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
