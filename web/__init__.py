"""The site itself: start pages per role, the root URL configuration, the demo and scale data,
and the sign-in rules that need the apps. Sits above every app; nothing imports it."""
