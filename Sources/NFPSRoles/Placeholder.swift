import NFPSCore
