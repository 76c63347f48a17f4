"""The registry of security-event kinds: one enumeration, so a log reader (and a test) can name
every kind the product records, and the admin can filter by it."""

from django.db import models


class SecurityEventKind(models.TextChoices):
    LOGIN = "login", "登录成功"
    LOGIN_FAILED = "login_failed", "登录失败"
    LOCKOUT = "lockout", "账号或地址被锁定"
    LOGOUT = "logout", "退出登录"
    ACCESS_DENIED = "access_denied", "越权访问被拒绝"
    EXPORT = "export", "导出个人信息"
    DOWNLOAD = "download", "下载含个人信息的文件"
    PII_REVEAL = "pii_reveal", "查看完整证件号码或电话"
    ADMIN_CHANGE = "admin_change", "管理员修改"
    TEMPLATE_CHANGE = "template_change", "文书模板变更"
    FILE_INTEGRITY_MISMATCH = "file_integrity_mismatch", "文件校验不符"
    FILE_INTEGRITY_RESTORED = "file_integrity_restored", "文件校验恢复正常"
    BACKUP = "backup", "备份"
    RESTORE = "restore", "恢复"
    PURGE = "purge", "清理过期安全日志"
