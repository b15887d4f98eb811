"""What the counter screen says, in Vietnamese (the clerks' language)."""

from __future__ import annotations

from reader_protocol.counter import ChipAuth, DocumentType, LegalBasis, VerdictReason

CHECKS = {
    "passive_authentication": "Xác thực dữ liệu (PA): chữ ký của cơ quan cấp",
    "revocation": "Danh sách thu hồi chứng thư",
    "mrz": "Vùng đọc máy (MRZ)",
    "chip_authentication": "Xác thực chip (CA)",
    "active_authentication": "Xác thực chủ động (AA)",
    "clone_detection": "Chống sao chép chip",
    "expiry": "Thời hạn sử dụng",
}
STATUSES = {
    "passed": "Đạt",
    "failed": "Không đạt",
    "warning": "Cảnh báo",
    "not_performed": "Không thực hiện",
}
CHIP_AUTH = {
    ChipAuth.CA: "Chip thật (CA)",
    ChipAuth.AA: "Chip thật (AA)",
    ChipAuth.NONE: "Chip không hỗ trợ chống sao chép",
    ChipAuth.FAILED: "Nghi chip sao chép",
}
REASONS = {
    VerdictReason.SOD_MALFORMED: "Dữ liệu bảo mật (SOD) bị hỏng",
    VerdictReason.SOD_SIGNATURE_INVALID: "Chữ ký số của dữ liệu không hợp lệ",
    VerdictReason.DOCUMENT_SIGNER_UNTRUSTED: "Cơ quan ký không nằm trong danh sách tin cậy (CSCA)",
    VerdictReason.CERTIFICATE_NOT_VALID: "Chứng thư của cơ quan ký hết hiệu lực",
    VerdictReason.DOCUMENT_SIGNER_REVOKED: "Chứng thư của cơ quan ký đã bị thu hồi",
    VerdictReason.DATA_GROUP_HASH_MISMATCH: "Dữ liệu trên chip đã bị sửa đổi",
    VerdictReason.ISSUING_STATE_MISMATCH: "Quốc gia cấp không khớp",
    VerdictReason.PASSIVE_AUTHENTICATION_FAILED: "Không xác thực được dữ liệu",
    VerdictReason.MRZ_INVALID: "Vùng đọc máy (MRZ) không hợp lệ",
    VerdictReason.CHIP_AUTHENTICATION_FAILED: "Chip không vượt qua xác thực (CA): nghi sao chép",
    VerdictReason.ACTIVE_AUTHENTICATION_FAILED: "Chip không vượt qua xác thực (AA): nghi sao chép",
    VerdictReason.NO_CLONE_DETECTION: "Chip không hỗ trợ kiểm tra chống sao chép",
    VerdictReason.EXPIRED: "Giấy tờ đã hết hạn",
}
DOCUMENT_TYPES = {
    DocumentType.CCCD: "Căn cước công dân gắn chip",
    DocumentType.PASSPORT: "Hộ chiếu",
}
LEGAL_BASES = {
    LegalBasis.PUBLIC_TASK: "Thực hiện thủ tục hành chính (nhiệm vụ công)",
    LegalBasis.LEGAL_OBLIGATION: "Theo quy định của pháp luật",
    LegalBasis.CONSENT: "Công dân đồng ý",
}
ERRORS = {
    "wrong_can": "Sai số CAN (6 chữ số in trên thẻ).",
    "password_blocked": "Chip đã khóa số CAN: không đọc được thẻ; kiểm tra giấy tờ bằng mắt.",
    "no_card": "Chưa đặt thẻ lên đầu đọc công dân.",
    "card_unreadable": "Không đọc được thẻ; đặt lại thẻ và thử lại.",
    "bad_input": "Thông tin nhập không hợp lệ.",
    "busy": "Đang phục vụ: kết thúc phiên trước.",
    "no_read": "Chưa đọc thẻ công dân.",
    "no_session": "Không có phiên phục vụ đang mở.",
    "consent_missing": "Chưa xác nhận sự đồng ý của công dân.",
    "manual_check_missing": "Thẻ chưa được xác thực: cần xác nhận đã kiểm tra giấy tờ bằng mắt.",
    "service_unavailable": "Không kết nối được máy chủ; thử lại sau.",
    "counter_not_signed_in": "Chưa có cán bộ đăng nhập tại quầy: chạm thẻ cán bộ trước.",
    "counter_busy": "Quầy đang có phiên phục vụ chưa kết thúc.",
    "service_not_found": "Dịch vụ không có trong danh mục.",
    "counter_reader_required": "Đầu đọc này không phải đầu đọc tại quầy.",
    "refused": "Máy chủ từ chối yêu cầu.",
}


def retries_message(retries_left: int | None) -> str:
    base = ERRORS["wrong_can"]
    return base if retries_left is None else f"{base} Còn {retries_left} lần thử."
