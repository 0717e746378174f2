"""The audits app's pages: ``public`` (answering a survey, published results) and ``staff`` (methodologists
and interviewers)."""
