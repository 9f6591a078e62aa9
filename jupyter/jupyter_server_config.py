# JupyterLab for stance: offline, local, quiet. `make lab` and tests/test_lab_browser.py point
# JUPYTER_CONFIG_PATH at this folder. Option names checked against jupyterlab 4.x
# (`jupyter lab --help-all`, jupyterlab/labapp.py).
c = get_config()  # noqa: F821 - defined by the config loader

# No network: no news feed, no update check, an extension manager that never asks PyPI.
c.LabApp.news_url = None
c.LabApp.check_for_updates_class = "jupyterlab.handlers.announcements.NeverCheckForUpdate"
c.LabApp.extension_manager = "readonly"

# Local only, and no browser opened by the server (make lab prints the URL instead).
c.ServerApp.ip = "127.0.0.1"
c.ServerApp.open_browser = False
c.ServerApp.allow_remote_access = False
