"""Who acts when a management command runs on the server without `--user`: the system, on
behalf of the operating-system account that ran it (recorded in the history as 系统导入)."""

import getpass
import os

SYSTEM_IMPORT = "系统导入"


def os_account() -> str:
    """The operating-system account running this process (getpass: $LOGNAME, $USER, the uid)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for the uid (a container without /etc/passwd entry)
        return f"uid {os.getuid()}"


def system_import_label(account: str) -> str:
    return f"{SYSTEM_IMPORT}（操作系统账户 {account}）"
