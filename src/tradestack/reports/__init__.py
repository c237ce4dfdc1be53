"""The daily report: what each trader did in a day, sent through the notifiers on a schedule."""
