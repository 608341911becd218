"""The only package that speaks SQL: the encrypted vault, keys, migrations, repositories."""
