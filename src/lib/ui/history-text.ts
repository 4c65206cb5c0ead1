import {
	RATING_STAGE_LABELS,
	formatDate,
	formatMoney,
	formatMonth,
	historyKindLabel,
	memberFieldLabel,
	ratingGradeLabel,
	type HistoryDoc
} from '$lib/domain';

// How a history entry reads in a timeline or a list: its label and one line of what it recorded.
// Labels stored with the entry (old rating scales, retired reasons) are what it shows.

export function entryTitle(entry: HistoryDoc): string {
	return historyKindLabel(entry.kind);
}

export function entryDetail(entry: HistoryDoc, branchName: (id: string) => string): string {
	switch (entry.kind) {
		case 'admission': {
			const d = entry.data;
			return (
				`Người giới thiệu: ${d.sponsor.name}. Chi đoàn biểu quyết ngày ${formatDate(d.vote.on)}: ` +
				`${d.vote.inFavour}/${d.vote.present} tán thành.` +
				(d.registryChecked ? '' : ' Số CCCD chưa kiểm tra toàn quốc lúc ghi.')
			);
		}
		case 'branch-move':
			return `${entry.data.fromBranchId ? `Từ ${branchName(entry.data.fromBranchId)} ` : ''}sang ${branchName(entry.data.toBranchId)}.`;
		case 'transfer-requested':
			return `Đến ${entry.data.toUnitName}.${entry.data.reason ? ` Lý do: ${entry.data.reason}.` : ''}`;
		case 'transfer-out':
			return `${entry.data.toUnitName} đã tiếp nhận.`;
		case 'transfer-rejected':
			return `${entry.data.toUnitName} từ chối: ${entry.data.reason}`;
		case 'transfer-in':
			return `Từ ${entry.data.fromUnitName}, vào ${branchName(entry.data.branchId)}.`;
		case 'coming-of-age':
			return entry.data.ceremony ? `Lễ trưởng thành: ${entry.data.ceremony}.` : '';
		case 'stay-extended':
			return `Tiếp tục sinh hoạt đến ngày ${formatDate(entry.data.until)}.`;
		case 'removal':
			return entry.data.reasonLabel;
		case 'discipline':
			return `${entry.data.formLabel}. Lý do: ${entry.data.reason}`;
		case 'reward':
			return `${entry.data.formLabel} (${entry.data.levelLabel}): ${entry.data.achievement}`;
		case 'rating':
			return (
				`Năm ${entry.data.year}, ${RATING_STAGE_LABELS[entry.data.stage].toLocaleLowerCase('vi')}: ` +
				ratingGradeLabel({
					scaleId: entry.data.scaleId,
					gradeId: entry.data.gradeId,
					fallback: entry.data.gradeLabel
				})
			);
		case 'training-registration':
			return `Năm ${entry.data.year}: ${entry.data.contentIds.length} nội dung.`;
		case 'training-score':
			return `Năm ${entry.data.year}: ${String(entry.data.total).replace('.', ',')} điểm, ${entry.data.bandLabel}.`;
		case 'dues-payment':
			return (
				`Tháng ${formatMonth(entry.data.from)}` +
				(entry.data.through !== entry.data.from ? ` đến ${formatMonth(entry.data.through)}` : '') +
				`: ${formatMoney(entry.data.amount)}.`
			);
		case 'death':
			return '';
		case 'profile-edit':
			return `Sửa: ${entry.data.fields.map((f) => memberFieldLabel(f)).join(', ')}.`;
		case 'declaration-approved':
			return entry.data.created
				? 'Tạo hồ sơ từ bản tự khai của đoàn viên.'
				: entry.data.fields.length > 0
					? `Lấy từ bản tự khai: ${entry.data.fields.map((f) => memberFieldLabel(f)).join(', ')}.`
					: 'Bản tự khai khớp hồ sơ, không thay đổi trường nào.';
		case 'imported':
			return entry.data.created
				? `Tạo hồ sơ từ tệp ${entry.data.fileName}, dòng ${entry.data.rowNumber}.`
				: `Cập nhật từ tệp ${entry.data.fileName}, dòng ${entry.data.rowNumber}: ${entry.data.fields.map((f) => memberFieldLabel(f)).join(', ')}.`;
		case 'reversal':
			return `Hủy "${historyKindLabel(entry.data.reversedKind)}". Lý do: ${entry.data.reason}`;
	}
}
