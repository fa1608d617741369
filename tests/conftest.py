pytest_plugins = ["kongdao.testing.plugin"]
