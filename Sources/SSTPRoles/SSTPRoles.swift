import SSTPCore
