"""Everything that writes enrolment data. Each module holds one area:

- `enrolments`: nomination, admission with seat locking, the waitlist, results;
- `participants`: adding, editing and recording that a manager left;
- `imports`: participant files, validated as a whole and applied all-or-nothing.
"""
