"""The grading chain, one package to audit (``python -m tools.grading ASSIGNMENT``, ``make grade``).

    grade.py           the command: every submission of an assignment, N at a time; the
                       status table, grades.csv, review.csv, feedback
    reference.py       the instructor's solution run first, through the same hidden checks;
                       nobody is graded when it is incomplete
    sandbox.py         each notebook's kernel in bubblewrap: no network, no course files,
                       its own uid, limits
    execute.py         the executor: the kernel's replies and the hidden checks' records,
                       taken outside the kernel; test cells run visible part, then hidden part
    judge.py           the score: records compared with the reference's, in this process
    metadata.py        the grading record written into a graded notebook and read back
    limit_output.py    every output capped
    feedback.py        feedback without hidden content, without live scripts
    tamper.py          advice for a person (REVIEW), never a score
    gradebook_lock.py  one gradebook writer at a time across grading processes
    submit_feedback.py on the hub, one submission graded at submit time for its student
                       (limit per hour, hidden checks as counts), in a scratch course

The student's kernel runs the student's code, so nothing it says about itself is
believed: a test cell scores only when the values it recorded on the hidden inputs
equal the instructor's (``judge.py`` states the rule). ``nbgrader_config.py`` names
these classes by string, so loading the course's config imports none of this.
"""
