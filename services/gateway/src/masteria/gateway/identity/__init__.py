"""Users, passwords, sign-up, login and browser sessions."""
