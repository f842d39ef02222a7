import SSTPRoles
