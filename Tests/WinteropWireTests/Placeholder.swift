// local placeholder (untracked): main's WinteropWireTests are not committed yet
